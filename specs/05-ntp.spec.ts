// 2. Time: chrony on every host; the controller syncs from upstream and serves the lab, with chrony's
// 'local stratum 10' rather than ntpd's 'server 127.127.1.0'; compute nodes sync from the controller.
import { checklist } from './harness/checklist.ts';

checklist('ntp', [
  'chrony.installed',
  'chrony.service',
  'chrony.upstream',
  'chrony.allow',
  'chrony.serving',
  'chrony.source',
  'chrony.localclock',
]);
