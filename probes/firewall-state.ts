import { z } from 'zod';
import { defineProbe, UnparsableOutput } from './probe.ts';

export const firewallStateFact = z.object({
  /** firewalld's own answer; `not-installed` when firewall-cmd does not exist. */
  state: z.enum(['running', 'not-running', 'not-installed']),
});

export const firewallStateProbe = defineProbe({
  id: 'firewall-state',
  description: "firewalld's own view of whether it runs (`firewall-cmd --state`), independent of systemd.",
  example: '{ state: "not-running" }',
  commands: () => ({ state: 'firewall-cmd --state' }),
  schema: firewallStateFact,
  parse() {
    throw new UnparsableOutput('parser pending', '');
  },
});
