// Prepare the host: CentOS, the right hostname and address, and hardware fit for OpenStack.
import { cpuCount, cpuVirtualization, diskRoot, hostAddress, hostHostname, osRelease } from '../checks/system.ts';
import { checklist } from '../helpers/checklist.ts';

checklist('The host', [osRelease, hostHostname, hostAddress, cpuVirtualization, cpuCount, diskRoot]);
