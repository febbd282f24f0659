// Across the lab: names agree everywhere, and time flows from the controller to every compute node.
import { checklist } from './harness/checklist.ts';

checklist('topology', ['topology.hosts', 'topology.ntp']);
