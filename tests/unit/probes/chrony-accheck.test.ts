import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { accheckPeers, chronyAccheckProbe, labPeers } from '../../../probes/chrony-accheck.ts';
import { corpus, expectUnparsable, HOSTILE, ok, run } from './fixtures.ts';

const parse = (text: string) => chronyAccheckProbe.parse({ accheck: ok(text) });
const command = (peers?: string[]) =>
  chronyAccheckProbe.commands({ role: 'controller', chronySyncWaitSeconds: 10, ...(peers ? { peers } : {}) }).accheck!;

describe('chrony-accheck: what chronyc accheck answered (captured on the local lab, Debian 12, chrony 4.3)', () => {
  it('as root: "208 Access allowed" and "209 Access denied", exit 0', () => {
    expect(
      parse(corpus('chrony', 'chronyc-accheck-loop__labspec-lab-debian12-chrony4.3-root-208-allowed-209-denied.txt')),
    ).toEqual({
      answers: [
        { address: '10.0.0.101', answer: 'allowed' },
        { address: '192.0.2.1', answer: 'denied' },
      ],
    });
  });

  it('not root: "501 Not authorised" (accheck needs the Unix socket): chronyd could not be asked', () => {
    expect(parse(corpus('chrony', 'chronyc-accheck-loop__labspec-lab-debian12-chrony4.3-non-root-501.txt'))).toEqual({
      answers: [
        { address: '10.0.0.101', answer: 'unavailable', message: '501 Not authorised' },
        { address: '192.0.2.1', answer: 'unavailable', message: '501 Not authorised' },
      ],
    });
  });

  it('chronyd stopped: "506 Cannot talk to daemon"', () => {
    expect(
      parse(corpus('chrony', 'chronyc-accheck-loop__labspec-lab-debian12-chrony4.3-chronyd-stopped-506.txt'))
        .answers[0],
    ).toEqual({ address: '10.0.0.101', answer: 'unavailable', message: '506 Cannot talk to daemon' });
  });

  it('chronyc missing, in a real shell on this machine (no chrony): exit 127, could not be asked', () => {
    const r = spawnSync('/bin/sh', ['-c', command(['10.0.0.101'])], {
      encoding: 'utf8',
      env: { PATH: '/nonexistent' },
    });
    const fact = chronyAccheckProbe.parse({ accheck: { stdout: r.stdout, stderr: r.stderr, exitCode: r.status } });
    expect(fact.answers).toEqual([
      { address: '10.0.0.101', answer: 'unavailable', message: expect.stringMatching(/chronyc.*not found/) },
    ]);
  });

  it('no peers to ask about: nothing asked', () => {
    expect(parse('')).toEqual({ answers: [] });
    const r = spawnSync('/bin/sh', ['-c', command()], { encoding: 'utf8' });
    expect(r).toMatchObject({ stdout: '', stderr: '', status: 0 });
  });
});

describe('chrony-accheck: an answer it does not understand is never taken as one', () => {
  it.each([
    ['200 OK instead of 208/209', 'accheck 10.0.0.101\n200 OK\nexit 0\n'],
    ['208 with a failing exit', 'accheck 10.0.0.101\n208 Access allowed\nexit 1\n'],
    ['two answers for one address', 'accheck 10.0.0.101\n208 Access allowed\n209 Access denied\nexit 0\n'],
    ['"Could not read address"', 'accheck 10.0.0.101\nCould not read address\nexit 1\n'],
    ['no exit line', 'accheck 10.0.0.101\n208 Access allowed\n'],
    ['an address that is not IPv4', 'accheck controller\n208 Access allowed\nexit 0\n'],
    ['text before the first block', '208 Access allowed\naccheck 10.0.0.101\n208 Access allowed\nexit 0\n'],
  ])('%s', (_why, text) => {
    expectUnparsable(() => parse(text));
  });

  it('the loop failing or writing to stderr', () => {
    expectUnparsable(() => chronyAccheckProbe.parse({ accheck: run('', 'sh: 1: Syntax error\n', 2) }));
  });

  it('hostile text', () => {
    for (const text of Object.values(HOSTILE).filter((t) => t !== '')) expectUnparsable(() => parse(text));
  });
});

describe('chrony-accheck: only validated IPv4 addresses reach the shell', () => {
  it('the loop over the peers', () => {
    expect(command(['10.0.0.101', '10.0.0.102'])).toBe(
      `for a in 10.0.0.101 10.0.0.102; do printf 'accheck %s\\n' "$a"; chronyc accheck "$a" 2>&1; printf 'exit %s\\n' $?; done`,
    );
  });

  it.each([['10.0.0.1; reboot'], ['$(reboot)'], ['compute1'], ['::1'], ['10.0.0.256'], ['010.0.0.1'], ['10.0.0.1 ']])(
    'refuses %j',
    (peer) => {
      expect(() => accheckPeers({ peers: [peer] })).toThrow(/not an IPv4 address/);
    },
  );

  it("a controller asks about its lab's compute nodes with IPv4 lab addresses; a compute asks nothing", () => {
    const hosts = [
      { role: 'controller' as const, labAddress: '10.0.0.100' },
      { role: 'compute' as const, labAddress: '10.0.0.101' },
      { role: 'compute' as const, labAddress: 'compute2.example.net' },
      { role: 'compute' as const, labAddress: '10.0.0.103' },
    ];
    expect(labPeers({ role: 'controller' }, hosts)).toEqual(['10.0.0.101', '10.0.0.103']);
    expect(labPeers({ role: 'compute' }, hosts)).toEqual([]);
  });
});
