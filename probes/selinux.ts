import { z } from 'zod';
import { defineProbe, UnparsableOutput } from './probe.ts';

export const selinuxFact = z.object({
  /** getenforce; `absent` when the SELinux tools are not installed (no SELinux at all). */
  runtime: z.enum(['enforcing', 'permissive', 'disabled', 'absent']),
  /** /etc/selinux/config; null when the file does not exist. */
  config: z
    .object({
      /** The effective SELINUX= assignment (the last uncommented one), value lower-cased; null when none. */
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
  parse() {
    throw new UnparsableOutput('parser pending', '');
  },
});
