import { z } from 'zod';
import { defineProbe, UnparsableOutput } from './probe.ts';

export const hostnameFact = z.object({
  /** The running (kernel) hostname, from `uname -n`. */
  hostname: z.string().min(1),
  /** The static hostname from hostnamectl; null when hostnamectl is unavailable. */
  staticHostname: z.string().nullable(),
});

export const hostnameProbe = defineProbe({
  id: 'hostname',
  description: 'The running hostname and, where hostnamectl answers, the static one that survives a reboot.',
  example: '{ hostname: "controller", staticHostname: "controller" }',
  commands: () => ({ uname: 'uname -n', hostnamectl: 'timeout 5 hostnamectl status' }),
  schema: hostnameFact,
  parse() {
    throw new UnparsableOutput('parser pending', '');
  },
});
