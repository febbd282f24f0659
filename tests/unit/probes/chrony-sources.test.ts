import { describe, expect, it } from 'vitest';
import { chronySourcesProbe } from '../../../probes/chrony-sources.ts';
import { corpus, corpusFiles, debianHost, expectUnparsable, HOSTILE, ok, run } from './fixtures.ts';

const parse = (text: string) => chronySourcesProbe.parse({ sources: ok(text) });
const src = (mode: string, state: string, address: string, stratum: number, reach: number) => ({
  mode,
  state,
  address,
  stratum,
  reach,
});

describe('chrony-sources: tables', () => {
  it.each([
    [
      'chronyc-sources__openstack-install-guide-controller.txt',
      [src('^', '-', '192.0.2.11', 2, 12), src('^', '*', '192.0.2.12', 2, 177)],
    ],
    [
      'chronyc-sources__openstack-install-guide-other-node-server-controller.txt',
      [src('^', '*', 'controller', 3, 377)],
    ],
    [
      'chronyc-sources__upstream-doc-example__chrony4-no-210-header.txt',
      [
        src('#', '*', 'GPS0', 0, 377),
        src('^', '?', 'ntp1.example.net', 2, 377),
        src('^', '+', 'ntp2.example.net', 1, 377),
      ],
    ],
    [
      'chronyc-sources__centos7-header-trailing-spaces-sos-pr__first-2-rows.txt',
      [src('^', '+', 'blue.1e400.net', 3, 337), src('^', '*', 'horp-bsd01.horp.io', 2, 377)],
    ],
    ['chronyc-sources-v__centos7-header-trailing-spaces__33213814811.txt', [src('^', '*', '192.168.163.240', 1, 17)]],
    ['chronyc-sources-v__rhel7-rhce-exam-1-source__40734869736.txt', [src('^', '*', 'server', 2, 17)]],
    [
      'chronyc-sources-v__rhel7-truncated-hostname-and-unreachable__42603018507.txt',
      [src('^', '*', '103-18-128-60.ip.mwsrv.c>', 2, 17), src('^', '?', 't2.time.sg3.yahoo.com', 0, 0)],
    ],
    [
      'chronyc-sources-v__altlinux-chrony4-unreachable-rows__52612632982.txt',
      [
        src('^', '*', 'ntp3.vniiftri.ru', 1, 17),
        src('^', '?', 'alt-p11-on-cs-2.lab', 0, 0),
        src('^', '?', 'alt-p11-on-ms.lab', 0, 0),
      ],
    ],
    [
      'chronyc-n-sources__labspec-lab-debian12-chrony4.3-controller-denies-reach-0.txt',
      [src('^', '?', '10.0.0.100', 0, 0)],
    ],
    ['chronyc-n-sources__labspec-lab-debian12-chrony4.3-no-sources.txt', []],
    [
      'chronyc-n-sources__labspec-lab-debian12-chrony4.3-controller-selected.txt',
      [src('^', '*', '10.0.0.100', 10, 17)],
    ],
    [
      'chronyc-n-sources-v__centos7-k8s-unreachable-first-rows__12015384051.txt',
      [
        src('^', '?', '94.237.64.20', 2, 1),
        src('^', '?', '94.130.49.186', 3, 1),
        src('^', '?', '119.28.183.184', 2, 1),
      ],
    ],
  ])('%s', (file, sources) => {
    expect(parse(corpus('chrony', file))).toEqual({ daemon: 'answered', sources });
  });

  it.each([
    ['chronyc-sources__centos7-real-4-pool-servers__Tp-ccna2.txt', 4, 'regar42.fr'],
    ['chronyc-sources__rhel-real-header-count-mismatch__insights.txt', 4, '10.64.108.95'],
    ['chronyc-sources-v__rhel9-rhcsa-4-pool-sources__8999151880.txt', 4, 'ntp3.lwlcom.net'],
    ['chronyc-sources-v__ubuntu-aliyun-15-sources-32m-lastrx__47562789312.txt', 3, '100.100.61.88'],
  ])('%s: %i rows (the "210" count is not enforced), selected %s', (file, rows, selected) => {
    const fact = parse(corpus('chrony', file));
    if (fact.daemon !== 'answered') throw new Error('expected answered');
    expect(fact.sources).toHaveLength(rows);
    expect(fact.sources.filter((s) => s.state === '*').map((s) => s.address)).toEqual([selected]);
  });

  it('zero rows is a valid empty list (chrony 3.x and 4.x headers)', () => {
    const header =
      'MS Name/IP address         Stratum Poll Reach LastRx Last sample               \n' + '='.repeat(79) + '\n';
    expect(parse(header)).toEqual({ daemon: 'answered', sources: [] });
    expect(parse(`210 Number of sources = 0\r\n${header.replace(/\n/g, '\r\n')}`)).toEqual({
      daemon: 'answered',
      sources: [],
    });
  });

  it('peer (=), negative poll of a refclock, missing final newline', () => {
    const text = `MS Name/IP address         Stratum Poll Reach LastRx Last sample\n${'='.repeat(79)}\n=+ 10.0.0.12                   3  -6   377    12   +12us[  +13us] +/-   10ms`;
    expect(parse(text)).toEqual({ daemon: 'answered', sources: [src('=', '+', '10.0.0.12', 3, 377)] });
  });
});

describe("chrony-sources: the compute node's wait, read back", () => {
  const SELECTED = corpus('chrony', 'chronyc-sources__openstack-install-guide-controller.txt');
  const waitOf = (file: string) =>
    chronySourcesProbe.parse({ wait: ok(corpus('chrony', file)), sources: ok(SELECTED) }).wait;
  const at = (name: string) => `chrony-wait__labspec-lab-debian12-chrony4.3-${name}.txt`;

  it.each([
    [
      at('compliant-selected-at-once'),
      { waitedSeconds: 0, stop: 'selected', activeState: 'active', activeSeconds: 12 },
    ],
    [
      at('restarted-selected-after-4s'),
      { waitedSeconds: 4, stop: 'selected', activeState: 'active', activeSeconds: 4 },
    ],
    [
      at('no-iburst-restarted-timeout'),
      { waitedSeconds: 10, stop: 'timeout', activeState: 'active', activeSeconds: 11 },
    ],
    [at('stopped-inactive'), { waitedSeconds: 0, stop: 'inactive', activeState: 'inactive', activeSeconds: null }],
    [
      at('unit-removed-never-active'),
      { waitedSeconds: 0, stop: 'inactive', activeState: 'inactive', activeSeconds: null },
    ],
    [
      at('drift-controller-unresolved-unlisted'),
      { waitedSeconds: 0, stop: 'unlisted', activeState: 'active', activeSeconds: 11 },
    ],
    [
      at('controller-unsynchronised-no-reply'),
      { waitedSeconds: 0, stop: 'no-reply', activeState: 'active', activeSeconds: 10 },
    ],
    [
      at('controller-denies-settled-after-143s'),
      { waitedSeconds: 0, stop: 'settled', activeState: 'active', activeSeconds: 143 },
    ],
  ])('%s', (file, wait) => {
    expect(waitOf(file)).toEqual(wait);
  });

  it('kept with an unreachable daemon too; absent when no wait was sent (a controller, or chronySyncWaitSeconds 0)', () => {
    const stopped = ok(corpus('chrony', at('stopped-inactive')));
    expect(chronySourcesProbe.parse({ wait: stopped, sources: run('506 Cannot talk to daemon\n', '', 1) })).toEqual({
      daemon: 'unreachable',
      message: '506 Cannot talk to daemon',
      wait: { waitedSeconds: 0, stop: 'inactive', activeState: 'inactive', activeSeconds: null },
    });
    expect(chronySourcesProbe.parse({ sources: ok(SELECTED) })).not.toHaveProperty('wait');
  });

  it('systemctl saying nothing (no systemd) leaves the state unknown', () => {
    expect(
      chronySourcesProbe.parse({ wait: ok('uptime=10901.65\nwaited=0\nstop=inactive\n'), sources: ok(SELECTED) }).wait,
    ).toEqual({ waitedSeconds: 0, stop: 'inactive', activeState: null, activeSeconds: null });
  });

  it.each([
    ['an unknown line', ok('uptime=1.0\nwaited=0\nstop=selected\nreboot=now\n')],
    ['a key twice', ok('uptime=1.0\nwaited=0\nwaited=3\nstop=selected\n')],
    ['no stop', ok('uptime=1.0\nwaited=0\n')],
    ['a stop labspec does not know', ok('uptime=1.0\nwaited=0\nstop=bored\n')],
    ['waited not a number', ok('uptime=1.0\nwaited=soon\nstop=timeout\n')],
    ['a failed wait', run('', 'sh: 1: syntax error\n', 2)],
  ])('rejects %s', (_why, wait) => {
    expectUnparsable(() => chronySourcesProbe.parse({ wait, sources: ok(SELECTED) }));
  });
});

describe('chrony-sources: daemon unreachable', () => {
  it('"506 Cannot talk to daemon" on stdout with exit 1', () => {
    expect(chronySourcesProbe.parse({ sources: run('506 Cannot talk to daemon\n', '', 1) })).toEqual({
      daemon: 'unreachable',
      message: '506 Cannot talk to daemon',
    });
  });

  it('chronyc missing (127), as on this Debian 12 machine', () => {
    expect(chronySourcesProbe.parse(debianHost('chronySources'))).toEqual({
      daemon: 'unreachable',
      message: 'sh: 1: chronyc: not found',
    });
  });
});

describe('chrony-sources: rejects', () => {
  it.each(corpusFiles('chrony').filter((f) => !/^chronyc(-n)?-sources/.test(f)))(
    '%s is not `chronyc sources` output',
    (file) => {
      expectUnparsable(() => parse(corpus('chrony', file)));
    },
  );

  it.each([
    ['506 with exit 0', ok('506 Cannot talk to daemon\n')],
    ['501 Not authorised', run('501 Not authorised\n', '', 1)],
    [
      'a garbled row',
      ok(
        `MS Name/IP address         Stratum Poll Reach LastRx Last sample\n${'='.repeat(79)}\n^* controller two 3 6 377\n`,
      ),
    ],
    [
      'reach not octal',
      ok(
        `MS Name/IP address         Stratum Poll Reach LastRx Last sample\n${'='.repeat(79)}\n^* 10.0.0.11  3 6 389 12 +1us[ +1us] +/- 1ms\n`,
      ),
    ],
  ])('%s', (_why, output) => {
    expectUnparsable(() => chronySourcesProbe.parse({ sources: output }));
  });

  it.each(Object.entries(HOSTILE))('hostile %s', (_name, text) => {
    expectUnparsable(() => parse(text));
  });
});
