// 1.2 Stop and disable firewalld and NetworkManager: OpenStack manages the firewall and the network.
import { checklist } from './harness/checklist.ts';

checklist('services', ['firewalld.stopped', 'firewalld.disabled', 'networkmanager.stopped', 'networkmanager.disabled']);
