// 2. Every host resolves every lab host by name through /etc/hosts: one check per lab host.
import { checklist } from './harness/checklist.ts';

checklist('name-resolution', ['hosts.<name>']);
