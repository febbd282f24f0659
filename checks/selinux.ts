import { fact, fail, pass, type HostCheck } from './check.ts';

const CONFIG = '/etc/selinux/config';

export const selinuxRuntime: HostCheck = {
  id: 'selinux.runtime',
  title: 'SELinux is permissive or disabled now',
  appliesTo: 'all',
  fix: 'setenforce 0',
  evaluate({ host }) {
    const { runtime } = fact(host, 'selinux');
    const expected = 'Permissive or Disabled';
    const actual = runtime === 'absent' ? 'no SELinux (getenforce not installed)' : runtime;
    return runtime === 'enforcing' ? fail(expected, actual, 'getenforce', 'SELinux enforces now') : pass(expected, actual, 'getenforce');
  },
};

export const selinuxConfig: HostCheck = {
  id: 'selinux.config',
  title: 'SELinux is disabled in /etc/selinux/config',
  appliesTo: 'all',
  fix: `sed -i 's/^SELINUX=.*/SELINUX=disabled/' ${CONFIG}`,
  evaluate({ host }) {
    const { config } = fact(host, 'selinux');
    const expected = 'SELINUX=disabled';
    if (!config) return fail(expected, `${CONFIG} does not exist`, CONFIG, `${CONFIG} is missing`, `echo SELINUX=disabled > ${CONFIG}`);
    if (!config.selinux)
      return fail(expected, 'no uncommented SELINUX= line', CONFIG, `${CONFIG} has no SELINUX= setting`, `echo SELINUX=disabled >> ${CONFIG}`);
    const { value, line } = config.selinux;
    const source = `${CONFIG}:${line}`;
    return value === 'disabled'
      ? pass(expected, `SELINUX=${value}`, source)
      : fail(expected, `SELINUX=${value}`, source, `SELinux will be ${value} after the next boot`);
  },
};
