// Turn SELinux off: permissive or disabled now, disabled for good in /etc/selinux/config.
import { selinuxConfig, selinuxRuntime } from '../checks/selinux.ts';
import { checklist } from '../helpers/checklist.ts';

checklist('Disable SELinux', [selinuxRuntime, selinuxConfig]);
