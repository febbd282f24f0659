// Time: chrony on every host; the controller syncs from upstream and serves the lab; computes sync from the controller.
import { chronyAllow, chronyInstalled, chronyLocalClock, chronyServing, chronyService, chronySource, chronyUpstream } from '../checks/chrony.ts';
import { checklist } from '../helpers/checklist.ts';

checklist('Install and run chrony', [chronyInstalled, chronyService]);
checklist('Controller: NTP server for the lab', [chronyUpstream, chronyAllow, chronyServing]);
checklist("No ntpd leftovers: chrony's local clock is 'local stratum 10'", [chronyLocalClock]);
checklist('Compute: NTP client of the controller', [chronySource]);
