import { z } from 'zod';
import { defineProbe, UnparsableOutput } from './probe.ts';

export const addressesFact = z.object({
  addresses: z.array(
    z.object({
      interface: z.string(),
      family: z.enum(['inet', 'inet6']),
      address: z.string(),
      prefixLength: z.int().nonnegative(),
    }),
  ),
});

export const addressesProbe = defineProbe({
  id: 'addresses',
  description: 'IP addresses configured on the interfaces (`ip -o addr show`).',
  example: '{ addresses: [{ interface: "eth0", family: "inet", address: "10.0.0.100", prefixLength: 24 }] }',
  commands: () => ({ addr: 'ip -o addr show' }),
  schema: addressesFact,
  parse() {
    throw new UnparsableOutput('parser pending', '');
  },
});
