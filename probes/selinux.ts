import { z } from 'zod';
import { COMMAND_NOT_FOUND, type CommandOutput, defineProbe } from './probe.ts';
import { isMissingFile, partOf, splitLines, unparsable } from './text.ts';

export const selinuxFact = z.object({
  /**
   * getenforce; without getenforce, the kernel's own answer (/sys/fs/selinux/enforce); `absent` when neither
   * exists (no SELinux tools and no selinuxfs: no SELinux at all).
   */
  runtime: z.enum(['enforcing', 'permissive', 'disabled', 'absent']),
  /** /etc/selinux/config; null when the file does not exist. */
  config: z
    .object({
      /** The SELINUX= assignment libselinux reads, value lower-cased; null when none. Conflicting assignments are unparsable, never guessed. */
      selinux: z.object({ value: z.string(), line: z.int().positive() }).nullable(),
    })
    .nullable(),
});

export const selinuxProbe = defineProbe({
  id: 'selinux',
  description:
    "SELinux mode now (getenforce, and the kernel's /sys/fs/selinux/enforce) and at next boot (/etc/selinux/config).",
  example: '{ runtime: "permissive", config: { selinux: { value: "disabled", line: 7 } } }',
  fileParts: ['kernel', 'config'],
  commands: () => ({
    getenforce: 'getenforce',
    kernel: 'cat /sys/fs/selinux/enforce',
    config: 'cat /etc/selinux/config',
  }),
  schema: selinuxFact,
  /**
   * getenforce missing (127): the SELinux tools can be removed while the kernel still enforces, so the
   * kernel's selinuxfs decides (`0` permissive, `1` enforcing; not mounted: 'absent'). When both answer and
   * disagree, Unparsable. /etc/selinux/config missing → config null.
   */
  parse(outputs) {
    const kernel = kernelMode(partOf(outputs, 'kernel'));
    const getenforce = partOf(outputs, 'getenforce');
    let runtime: z.infer<typeof selinuxFact>['runtime'] = kernel ?? 'absent';
    if (getenforce.exitCode !== COMMAND_NOT_FOUND) {
      const word = getenforce.stdout.trim().toLowerCase();
      if (getenforce.exitCode !== 0 || !(word === 'enforcing' || word === 'permissive' || word === 'disabled')) {
        throw unparsable('getenforce did not answer Enforcing, Permissive or Disabled', getenforce);
      }
      if (kernel !== null && word !== kernel) {
        throw unparsable(`getenforce says ${word}, /sys/fs/selinux/enforce says ${kernel}`, getenforce);
      }
      runtime = word;
    }
    const config = partOf(outputs, 'config');
    if (isMissingFile(config)) return selinuxFact.parse({ runtime, config: null });
    if (config.exitCode !== 0) throw unparsable(`cat /etc/selinux/config exited ${config.exitCode}`, config);
    return selinuxFact.parse({ runtime, config: { selinux: effectiveSelinux(config) } });
  },
});

/** /sys/fs/selinux/enforce: the kernel prints `0` or `1` (selinuxfs, "%d", no newline); null when selinuxfs is not mounted. */
function kernelMode(output: CommandOutput): 'enforcing' | 'permissive' | null {
  if (isMissingFile(output)) return null;
  const value = output.stdout.trim();
  if (output.exitCode !== 0 || (value !== '0' && value !== '1')) {
    throw unparsable('/sys/fs/selinux/enforce is neither 0 nor 1', output);
  }
  return value === '1' ? 'enforcing' : 'permissive';
}

/**
 * The last uncommented `SELINUX=` line (the schema's rule), value without an inline "# comment",
 * trimmed and lower-cased. libselinux (selinux_getenforcemode) instead takes the FIRST line starting
 * exactly with "SELINUX=" whose value starts with enforcing|permissive|disabled; wherever the two rules
 * could disagree this is Unparsable instead of a guess: assignments with different values, an
 * indented / lower-case / "SELINUX = x" assignment (libselinux skips it), or a value other than the
 * three modes. Other lines (SELINUXTYPE=, SETLOCALDEFS=, prose) are ignored, as libselinux does.
 */
export function effectiveSelinux(output: CommandOutput): { value: string; line: number } | null {
  let found: { value: string; line: number } | null = null;
  for (const [index, text] of splitLines(output.stdout).entries()) {
    if (text.trimStart().startsWith('#')) continue;
    const m = /^SELINUX=(.*)$/.exec(text);
    if (!m) {
      if (/^\s*SELINUX\s*=/i.test(text)) throw unparsable(`SELINUX assignment libselinux would skip: ${text}`, output);
      continue;
    }
    const value = m[1]!.replace(/#.*$/, '').trim().toLowerCase();
    if (!['enforcing', 'permissive', 'disabled'].includes(value))
      throw unparsable(`unknown SELINUX= value: ${text}`, output);
    if (found !== null && found.value !== value) {
      throw unparsable(`SELINUX= set twice to different values (lines ${found.line} and ${index + 1})`, output);
    }
    found = { value, line: index + 1 };
  }
  return found;
}
