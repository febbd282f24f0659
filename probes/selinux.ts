import { z } from 'zod';
import { COMMAND_NOT_FOUND, type CommandOutput, defineProbe } from './probe.ts';
import { isMissingFile, partOf, splitLines, unparsable } from './text.ts';

export const selinuxFact = z.object({
  /** getenforce; `absent` when the SELinux tools are not installed (no SELinux at all). */
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
  description: 'SELinux mode now (getenforce) and at next boot (/etc/selinux/config).',
  example: '{ runtime: "permissive", config: { selinux: { value: "disabled", line: 7 } } }',
  commands: () => ({ getenforce: 'getenforce', config: 'cat /etc/selinux/config' }),
  schema: selinuxFact,
  /** getenforce missing (127) → runtime 'absent'; /etc/selinux/config missing → config null. */
  parse(outputs) {
    const getenforce = partOf(outputs, 'getenforce');
    let runtime: z.infer<typeof selinuxFact>['runtime'] = 'absent';
    if (getenforce.exitCode !== COMMAND_NOT_FOUND) {
      const word = getenforce.stdout.trim().toLowerCase();
      if (getenforce.exitCode !== 0 || !(word === 'enforcing' || word === 'permissive' || word === 'disabled')) {
        throw unparsable('getenforce did not answer Enforcing, Permissive or Disabled', getenforce);
      }
      runtime = word;
    }
    const config = partOf(outputs, 'config');
    if (isMissingFile(config)) return selinuxFact.parse({ runtime, config: null });
    if (config.exitCode !== 0) throw unparsable(`cat /etc/selinux/config exited ${config.exitCode}`, config);
    return selinuxFact.parse({ runtime, config: { selinux: effectiveSelinux(config) } });
  },
});

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
