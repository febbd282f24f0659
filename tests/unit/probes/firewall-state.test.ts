import { describe, expect, it } from 'vitest';
import { firewallStateProbe } from '../../../probes/firewall-state.ts';
import { corpus, debianHost, expectUnparsable, HOSTILE, ok, run } from './fixtures.ts';

describe('firewall-state', () => {
  it('"running" on stdout, exit 0 (CentOS 7)', () => {
    expect(
      firewallStateProbe.parse({
        state: ok(corpus('firewall', 'firewall-cmd-state__centos7-running__7091394582.txt')),
      }),
    ).toEqual({ state: 'running' });
  });

  it('"not running" on stderr, exit 252 (CentOS 7), plain and ANSI-wrapped as firewalld 0.4 prints it', () => {
    const text = corpus('firewall', 'firewall-cmd-state__centos7-not-running__7091394582.txt');
    expect(firewallStateProbe.parse({ state: run('', text, 252) })).toEqual({ state: 'not-running' });
    expect(firewallStateProbe.parse({ state: run('', `\u001b[91m${text.trim()}\u001b[00m\n`, 252) })).toEqual({
      state: 'not-running',
    });
  });

  it('firewall-cmd missing (127) → not-installed; this Debian 12 machine', () => {
    expect(firewallStateProbe.parse(debianHost('firewallState'))).toEqual({ state: 'not-installed' });
  });

  it.each([
    ['"not running" with exit 0', run('not running\n', '', 0)],
    ['"running" with exit 252', run('', 'running\n', 252)],
    ["the other subcommands' wording", run('', 'FirewallD is not running\n', 252)],
    ['a Python traceback', run('', 'Traceback (most recent call last):\n  File "/usr/bin/firewall-cmd"\n', 1)],
    ['running plus a warning', run('running\n', 'Warning: something\n', 0)],
  ])('%s → Unparsable', (_why, output) => {
    expectUnparsable(() => firewallStateProbe.parse({ state: output }));
  });

  it.each(Object.entries(HOSTILE))('hostile %s → Unparsable', (_name, text) => {
    expectUnparsable(() => firewallStateProbe.parse({ state: ok(text) }));
  });
});
