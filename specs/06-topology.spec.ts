// Across the lab: names agree everywhere, and time flows from the controller to every compute node.
import { topologyHosts, topologyNtp } from '../checks/topology.ts';
import { labChecklist } from '../helpers/checklist.ts';

labChecklist('The lab as a whole', [topologyHosts, topologyNtp]);
