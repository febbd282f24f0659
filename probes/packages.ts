import { z } from 'zod';
import { defineProbe, UnparsableOutput } from './probe.ts';

export const packagesFact = z.object({
  chrony: z.object({
    installed: z.boolean(),
    /** Version-release as the package manager prints it; null when not installed. */
    version: z.string().nullable(),
    /** Which package database answered. */
    manager: z.enum(['rpm', 'dpkg']),
  }),
});

export const packagesProbe = defineProbe({
  id: 'packages',
  description: 'Whether chrony is installed, asked of rpm or dpkg, whichever the host uses.',
  example: '{ chrony: { installed: true, version: "3.4-1.el7", manager: "rpm" } }',
  commands: () => ({
    rpm: 'rpm -q chrony',
    dpkg: "dpkg-query -W -f='${db:Status-Abbrev} ${Version}\\n' chrony",
  }),
  schema: packagesFact,
  parse() {
    throw new UnparsableOutput('parser pending', '');
  },
});
