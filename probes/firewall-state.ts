import { z } from 'zod';
import { COMMAND_NOT_FOUND, defineProbe } from './probe.ts';
import { partOf, stripAnsi, unparsable } from './text.ts';

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
  /**
   * exit 127 → not-installed; "running" + exit 0 → running; "not running" + exit 252 → not-running
   * (firewalld writes it to stderr, 0.4.x wrapped in ANSI colour; either stream is accepted as long as
   * the other is empty). Anything else (a Python traceback, "FirewallD is not running"…) is Unparsable.
   */
  parse(outputs) {
    const out = partOf(outputs, 'state');
    if (out.exitCode === COMMAND_NOT_FOUND) return firewallStateFact.parse({ state: 'not-installed' });
    const text = stripAnsi(out.stdout + out.stderr).trim();
    if (out.exitCode === 0 && out.stderr.trim() === '' && text === 'running')
      return firewallStateFact.parse({ state: 'running' });
    if (out.exitCode === 252 && text === 'not running') return firewallStateFact.parse({ state: 'not-running' });
    throw unparsable(`unexpected firewall-cmd --state answer (exit ${out.exitCode})`, out);
  },
});
