import { fact, fail, pass, type HostCheck } from './check.ts';

const CONFIG = '/etc/selinux/config';

/**
 * selinux.runtime: SELinux does not enforce now. What could make the verdict wrong, and how each case ends:
 * - getenforce removed while the kernel still enforces: the probe asks the kernel (/sys/fs/selinux/enforce),
 *   so it fails;
 * - getenforce and the kernel disagree, or either prints something else: unparsable, the check errors;
 * - no getenforce and no selinuxfs: there is no SELinux to enforce, a pass that says so.
 * What the next boot brings is selinux.config's to judge.
 */
export const selinuxRuntime: HostCheck = {
  id: 'selinux.runtime',
  scope: 'host',
  section: 'selinux',
  title: 'SELinux is permissive or disabled now',
  titleKo: 'SELinux가 지금 Permissive 또는 Disabled 상태이다',
  appliesTo: 'all',
  fix: 'setenforce 0',
  hint: 'SELinux is enforcing right now.',
  hintKo: 'SELinux가 지금 Enforcing 상태로 동작하고 있습니다.',
  fixKo:
    'setenforce 0으로 SELinux를 Permissive로 바꾸세요. 이 설정은 재부팅하면 사라지므로 /etc/selinux/config도 함께 고쳐야 합니다.',
  points: 1,
  image: { judged: true },
  evaluate({ host }) {
    const {
      value: { runtime },
      source,
    } = fact(host, 'selinux');
    const expected = 'Permissive or Disabled';
    const actual = runtime === 'absent' ? 'no SELinux (no getenforce, no /sys/fs/selinux)' : runtime;
    if (runtime === 'enforcing') return fail({ expected, actual, source, message: 'SELinux enforces now' });
    return pass({ expected, actual, source });
  },
};

/**
 * selinux.config: SELINUX=disabled is what the next boot reads. What could make the verdict wrong, and how each
 * case ends: the file missing, or without a SELINUX= line, fails (libselinux then falls back to the policy's
 * default); a line libselinux would read differently from labspec (indented, lower-case key, spaces around `=`,
 * an unknown value, two lines that disagree) makes the probe unparsable and the check errors; a file that
 * cannot be read (permission denied) errors too, never "no config".
 */
export const selinuxConfig: HostCheck = {
  id: 'selinux.config',
  scope: 'host',
  section: 'selinux',
  title: 'SELinux is disabled in /etc/selinux/config',
  titleKo: '/etc/selinux/config에서 SELinux가 disabled로 설정되어 있다',
  appliesTo: 'all',
  fix: `sed -i 's/^SELINUX=.*/SELINUX=disabled/' ${CONFIG}`,
  hint: '/etc/selinux/config does not disable SELinux, so it comes back at the next boot.',
  hintKo: '/etc/selinux/config에서 SELinux가 disabled로 되어 있지 않아, 재부팅하면 SELinux가 다시 켜집니다.',
  fixKo:
    'vi /etc/selinux/config로 파일을 열어 SELINUX= 줄을 SELINUX=disabled로 고치고 저장하세요. 재부팅한 뒤부터 적용됩니다.',
  points: 1,
  image: { judged: true },
  evaluate({ host }) {
    const {
      value: { config },
    } = fact(host, 'selinux');
    const expected = 'SELINUX=disabled';
    if (!config) {
      return fail({
        expected,
        actual: `${CONFIG} does not exist`,
        source: CONFIG,
        message: `${CONFIG} is missing`,
        fix: `echo SELINUX=disabled > ${CONFIG}`,
      });
    }
    if (!config.selinux) {
      return fail({
        expected,
        actual: 'no uncommented SELINUX= line',
        source: CONFIG,
        message: `${CONFIG} has no SELINUX= setting`,
        fix: `echo SELINUX=disabled >> ${CONFIG}`,
      });
    }
    const { value, line } = config.selinux;
    const source = `${CONFIG}:${line}`;
    if (value === 'disabled') return pass({ expected, actual: `SELINUX=${value}`, source });
    return fail({
      expected,
      actual: `SELINUX=${value}`,
      source,
      message: `SELinux will be ${value} after the next boot`,
    });
  },
};
