// 1. Prepare the host: CentOS, the right hostname and address, and hardware fit for OpenStack.
import { checklist } from './harness/checklist.ts';

checklist('host', ['os.release', 'host.hostname', 'host.address', 'cpu.virtualization', 'cpu.count', 'disk.root']);
