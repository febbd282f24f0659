// 1.2 Turn SELinux off: permissive or disabled now, disabled for good in /etc/selinux/config.
import { checklist } from './harness/checklist.ts';

checklist('selinux', ['selinux.runtime', 'selinux.config']);
