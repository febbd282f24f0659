// Every host resolves every lab host by name through /etc/hosts.
import { hostsEntryCheck } from '../checks/hosts.ts';
import { checklist } from '../helpers/checklist.ts';

checklist('Name resolution in /etc/hosts', (lab) => lab.hosts.map(hostsEntryCheck));
