import { z } from 'zod';
import { defineProbe, UnparsableOutput } from './probe.ts';

export const etcHostsFact = z.object({
  entries: z.array(
    z.object({
      line: z.int().positive(),
      address: z.string(),
      /** Canonical name first, then aliases, as written. */
      names: z.array(z.string()),
    }),
  ),
});
export type EtcHostsEntry = z.infer<typeof etcHostsFact>['entries'][number];

export const etcHostsProbe = defineProbe({
  id: 'etc-hosts',
  description: 'Static name mappings in /etc/hosts, comments dropped, with line numbers.',
  example: '{ entries: [{ line: 3, address: "10.0.0.100", names: ["controller"] }] }',
  commands: () => ({ hosts: 'cat /etc/hosts' }),
  schema: etcHostsFact,
  parse() {
    throw new UnparsableOutput('parser pending', '');
  },
});
