import { z } from 'zod';
import { defineProbe, UnparsableOutput } from './probe.ts';

export const cpuinfoFact = z.object({
  /** Number of `processor` entries. */
  processors: z.int().positive(),
  /** Hardware virtualization flags present on any processor. */
  virtualizationFlags: z.array(z.enum(['vmx', 'svm'])),
  /** The `hypervisor` flag: this is a virtual machine. */
  hypervisor: z.boolean(),
});

export const cpuinfoProbe = defineProbe({
  id: 'cpuinfo',
  description: 'CPU count and virtualization flags from /proc/cpuinfo.',
  example: '{ processors: 4, virtualizationFlags: ["vmx"], hypervisor: true }',
  commands: () => ({ cpuinfo: 'cat /proc/cpuinfo' }),
  schema: cpuinfoFact,
  parse() {
    throw new UnparsableOutput('parser pending', '');
  },
});
