// Stop and disable firewalld and NetworkManager: OpenStack manages the firewall and the network.
import { firewalldDisabled, firewalldStopped, networkManagerDisabled, networkManagerStopped } from '../checks/services.ts';
import { checklist } from '../helpers/checklist.ts';

checklist('Disable firewalld', [firewalldStopped, firewalldDisabled]);
checklist('Disable NetworkManager', [networkManagerStopped, networkManagerDisabled]);
