import { describe, expect, it } from 'vitest';
import type { LabSettings } from '../../../inventory/schema.ts';
import { consoleSummary, paint, verdictList } from '../../../outputs/console.ts';
import {
  RESULTS_SCHEMA,
  resultsDocument,
  summarize,
  type HostRecord,
  type ResultEntry,
  type RunReport,
} from '../../../outputs/report.ts';
import { EXIT, exitCodeOf } from '../../../run/exit-codes.ts';
import { judgeLabs, observeLabs } from '../../../run/judge.ts';
import { buildReport, type PreparedRun } from '../../../run/run.ts';
import { debianOutputs, gatheredHost } from '../checks/support.ts';

const PLAIN = paint(false);

function host(lab: string, name: string, connection: HostRecord['connection'] = { ok: true }): HostRecord {
  return {
    lab,
    host: name,
    address: '10.0.0.11',
    labAddress: '10.0.0.11',
    role: 'controller',
    transport: 'ssh',
    startedAt: '2024-01-01T00:00:00.000Z',
    durationMs: 900,
    connection,
    notes: [],
    commands: [],
    snapshot: `facts/${name}.json`,
  };
}
function entry(
  lab: string,
  hostName: string | null,
  check: string,
  status: ResultEntry['status'],
  message = '',
): ResultEntry {
  return {
    lab,
    host: hostName,
    check,
    title: check,
    section: 'host',
    status,
    expected: 'e',
    actual: 'a',
    source: 's',
    message,
    fix: status === 'fail' ? 'f' : '',
    durationMs: 1,
  };
}
function report(results: ResultEntry[], hosts: HostRecord[]): RunReport {
  return {
    schema: RESULTS_SCHEMA,
    run: {
      id: 'r1',
      kind: 'live',
      gatheredBy: 'r1',
      startedAt: '2024-01-01T00:00:00.000Z',
      durationMs: 1000,
      filter: null,
      checks: { profile: 'full', only: null, skip: [] },
      shard: null,
    },
    summary: summarize(results),
    hosts,
    results,
  };
}

const ENTRIES = [
  entry('default', 'controller', 'os.release', 'pass'),
  entry('default', 'controller', 'selinux.runtime', 'fail', 'SELinux enforces now'),
  // A check that does not apply to the host's role: skipped with no source, as evaluate makes it.
  {
    ...entry('default', 'controller', 'chrony.source', 'skip', 'applies to compute hosts; controller is controller'),
    expected: '',
    actual: '',
    source: '',
  },
  entry(
    'default',
    'controller',
    'chrony.localclock',
    'pass',
    "warning: /etc/chrony.conf:4 'server 127.127.1.0' is ntpd's local-clock driver; remove it",
  ),
  entry('default', 'compute1', 'os.release', 'error', 'probe release: expected one line, got 17'),
  entry('default', 'compute1', 'firewalld.stopped', 'fail', 'firewalld is active'),
  entry('default', null, 'topology.hosts', 'pass'),
];
const HOSTS = [host('default', 'controller'), host('default', 'compute1')];

const SETTINGS: LabSettings = {
  name: 'default',
  subnet: '10.0.0.0/24',
  ntpUpstream: '2.kr.pool.ntp.org',
  minCpus: 2,
  minRootDiskGiB: 60,
  release: { name: 'CentOS Linux', major: 7 },
  chronySyncWaitSeconds: 10,
};
const identity = (lab: string, name: string, role: 'controller' | 'compute', address: string) => ({
  lab,
  name,
  address,
  labAddress: address,
  role,
});

/** A run as prepareRun returns it, over gathered hosts (the Debian capture). */
function preparedRun(gathered: PreparedRun['gathered']): PreparedRun {
  return {
    runId: '20240101T000000Z-3fa1',
    startedAt: new Date(),
    kind: 'live',
    gatheredBy: '20240101T000000Z-3fa1',
    gathered,
    judged: judgeLabs(observeLabs(gathered)),
    multipleLabs: new Set(gathered.map((g) => g.lab)).size > 1,
    shard: null,
    checks: { profile: 'full', only: null, skip: [] },
    grading: null,
  };
}

describe('results.json (RunReport)', () => {
  const controller = gatheredHost(
    identity('default', 'controller', 'controller', '10.0.0.11'),
    SETTINGS,
    debianOutputs(),
  );
  const compute = gatheredHost(identity('default', 'compute1', 'compute', '10.0.0.31'), SETTINGS, debianOutputs(), {
    position: 1,
  });
  const run = preparedRun([controller, compute]);
  const built = buildReport(run, run.judged, null);
  // What finishRun writes, read back as a consumer would.
  const parsed = JSON.parse(`${JSON.stringify(built, null, 2)}\n`) as Record<string, unknown>;

  it('schema labspec/results@2: run, summary, hosts and results, valid against its own zod schema', () => {
    expect(Object.keys(parsed)).toEqual(['schema', 'run', 'summary', 'hosts', 'results']);
    expect(RESULTS_SCHEMA).toBe('labspec/results@2');
    expect(parsed.schema).toBe(RESULTS_SCHEMA);
    expect(resultsDocument.safeParse(parsed).error).toBeUndefined();
    expect(built.run).toMatchObject({
      id: run.runId,
      kind: 'live',
      gatheredBy: run.runId,
      startedAt: run.startedAt.toISOString(),
      filter: null,
      shard: null,
    });
    expect(Number.isFinite(built.run.durationMs)).toBe(true);
  });

  it('summary counts every verdict; every registry check on every host, then the lab checks', () => {
    expect(built.summary).toEqual(summarize(built.results));
    const { pass, fail, error, skip } = built.summary;
    expect(pass + fail + error + skip).toBe(built.results.length);
    expect(built.results.map((r) => `${r.host ?? '(lab)'} › ${r.check}`)).toEqual(run.judged.map((j) => j.label));
    expect(built.results.filter((r) => r.host === null).map((r) => r.check)).toEqual([
      'topology.hosts',
      'topology.ntp',
    ]);
    for (const r of built.results) expect(r.section, r.check).not.toBe('');
  });

  it('hosts: how each was reached and every command sent, the bundle command first; the snapshot file', () => {
    expect(built.hosts).toHaveLength(2);
    expect(built.hosts[0]).toMatchObject({
      lab: 'default',
      host: 'controller',
      address: '10.0.0.11',
      role: 'controller',
      transport: 'test',
      connection: { ok: true },
      snapshot: 'facts/controller.json',
    });
    expect(built.hosts[0]!.commands).toEqual([controller.command, ...controller.outputs.map((o) => o.command)]);
    expect(built.hosts[0]!.commands[0]).toBe('env LC_ALL=C /bin/sh -s');
    expect(built.hosts[1]!.snapshot).toBe('facts/compute1.json');
  });

  it('several labs: snapshots are named <lab>.<host>.json', () => {
    const a = gatheredHost(identity('student1', 'controller', 'controller', '10.0.0.11'), SETTINGS, {});
    const b = gatheredHost(
      identity('student2', 'controller', 'controller', '10.0.0.11'),
      SETTINGS,
      {},
      { position: 1 },
    );
    const classRun = preparedRun([a, b]);
    const classReport = buildReport(classRun, classRun.judged, null);
    expect(classReport.hosts.map((h) => h.snapshot)).toEqual([
      'facts/student1.controller.json',
      'facts/student2.controller.json',
    ]);
  });

  it('an unreachable host: its connection failure, and no commands (none were sent)', () => {
    const refused = { ok: false as const, failure: 'refused', message: 'connect ECONNREFUSED 10.0.0.11:22' };
    const down = { ...controller, outputs: [], connection: refused };
    const downRun = preparedRun([down]);
    const downReport = buildReport(downRun, downRun.judged, null);
    expect(downReport.hosts[0]).toMatchObject({ connection: refused, commands: [] });
    expect(downReport.summary.pass).toBe(0);
    expect(resultsDocument.safeParse(downReport).success).toBe(true);
  });

  it('a filter: only the selected verdicts are counted, and the pattern is recorded', () => {
    const selected = run.judged.filter((j) => /selinux/.test(j.fullName));
    const filtered = buildReport(run, selected, 'selinux');
    expect(filtered.run.filter).toBe('selinux');
    expect(filtered.results.map((r) => r.check)).toEqual([
      'selinux.runtime',
      'selinux.config',
      'selinux.runtime',
      'selinux.config',
    ]);
    expect(filtered.summary).toEqual(summarize(filtered.results));
    expect(filtered.hosts).toHaveLength(2);
  });

  it('the schema rejects what a consumer could not rely on', () => {
    const ok = report(ENTRIES, HOSTS);
    expect(resultsDocument.safeParse(ok).success).toBe(true);
    expect(resultsDocument.safeParse({ ...ok, schema: 'labspec/results@1' }).success).toBe(false);
    expect(resultsDocument.safeParse({ ...ok, extra: 1 }).success).toBe(false);
    expect(resultsDocument.safeParse({ ...ok, results: [{ ...ENTRIES[0]!, status: 'passed' }] }).success).toBe(false);
    expect(resultsDocument.safeParse({ ...ok, results: [{ ...ENTRIES[0]!, durationMs: undefined }] }).success).toBe(
      false,
    );
    expect(resultsDocument.safeParse({ ...ok, hosts: [{ ...HOSTS[0]!, startedAt: 'yesterday' }] }).success).toBe(false);
    expect(resultsDocument.safeParse({ ...ok, run: { ...ok.run, kind: 'dry' } }).success).toBe(false);
  });

  it('summarize: zero for every status when there are no results', () => {
    expect(summarize([])).toEqual({ pass: 0, fail: 0, error: 0, skip: 0 });
    expect(summarize(ENTRIES)).toEqual({ pass: 3, fail: 2, error: 1, skip: 1 });
  });
});

describe('exit codes', () => {
  it('a failure wins over an error; errors alone exit 3; passes and skips exit 0', () => {
    expect(exitCodeOf({ pass: 1, fail: 1, error: 1, skip: 0 })).toBe(EXIT.checksFailed);
    expect(exitCodeOf({ pass: 1, fail: 0, error: 1, skip: 0 })).toBe(EXIT.checksErrored);
    expect(exitCodeOf({ pass: 1, fail: 0, error: 0, skip: 5 })).toBe(EXIT.ok);
    expect([EXIT.ok, EXIT.checksFailed, EXIT.usage, EXIT.checksErrored, EXIT.reportsUnwritable]).toEqual([
      0, 1, 2, 3, 4,
    ]);
  });
});

describe('console summary', () => {
  it('per host: counts, then the failing check IDs (errors marked); warnings listed; report paths last', () => {
    const text = consoleSummary(report(ENTRIES, HOSTS), ['reports/junit.xml', 'reports/results.json'], PLAIN);
    expect(text.split('\n')).toEqual([
      '',
      'labspec summary',
      // the column width comes from the longest label ("controller", 10 characters)
      `  ${'controller'.padEnd(10)}  2 pass, 1 fail, 0 error, 1 skip  failing: selinux.runtime`,
      `  ${'compute1'.padEnd(10)}  0 pass, 1 fail, 1 error, 0 skip  failing: os.release (error), firewalld.stopped`,
      `  ${'(lab)'.padEnd(10)}  1 pass, 0 fail, 0 error, 0 skip`,
      "  warning controller chrony.localclock: /etc/chrony.conf:4 'server 127.127.1.0' is ntpd's local-clock driver; remove it",
      '3 passed, 2 failed, 1 errored, 1 skipped',
      'reports: reports/junit.xml, reports/results.json',
      '',
    ]);
  });

  it('lists the skips someone chose, one line per reason and hosts; not the checks of another role', () => {
    const chosen = (hostName: string | null, check: string, message: string, source: string): ResultEntry => ({
      ...entry('default', hostName, check, 'skip', message),
      expected: '',
      actual: '',
      source,
    });
    const image = 'not judged on an image: an image gets its lab address when it is deployed';
    const text = consoleSummary(
      report(
        [
          ...ENTRIES,
          chosen('controller', 'host.address', image, 'profile image'),
          chosen('compute1', 'host.address', image, 'profile image'),
          chosen('compute1', 'firewalld.stopped', 'skipped with --skip firewalld.*', '--skip'),
          chosen('compute1', 'firewalld.disabled', 'skipped with --skip firewalld.*', '--skip'),
          chosen(null, 'topology.hosts', 'built one host at a time', 'lab.yaml:4 checks.skip[0].id'),
        ],
        HOSTS,
      ),
      [],
      PLAIN,
    );
    const skips = text.split('\n').filter((line) => line.startsWith('  skip '));
    expect(skips).toEqual([
      `  skip host.address on controller, compute1: ${image}`,
      '  skip firewalld.stopped, firewalld.disabled on compute1: skipped with --skip firewalld.*',
      '  skip topology.hosts on (lab): built one host at a time',
    ]);
  });

  it('no report written (unwritable reports folder): no "reports:" line', () => {
    expect(consoleSummary(report(ENTRIES, HOSTS), [], PLAIN)).not.toContain('reports:');
  });

  it("lists each host's connection notes (e.g. a key recorded under accept-new)", () => {
    const hosts = [
      { ...host('default', 'compute1'), notes: ['host key recorded in /root/.ssh/known_hosts (accept-new)'] },
    ];
    const text = consoleSummary(
      report([entry('default', 'compute1', 'os.release', 'pass')], hosts),
      ['reports/junit.xml'],
      PLAIN,
    );
    expect(text).toContain('\n  note compute1: host key recorded in /root/.ssh/known_hosts (accept-new)\n');
  });

  it('an unreachable host says so instead of listing its errors', () => {
    const hosts = [
      host('default', 'controller', { ok: false, failure: 'refused', message: 'connect ECONNREFUSED 10.0.0.11:22' }),
    ];
    const text = consoleSummary(
      report(
        [
          entry('default', 'controller', 'os.release', 'error'),
          entry('default', 'controller', 'host.hostname', 'error'),
        ],
        hosts,
      ),
      ['r'],
      PLAIN,
    );
    expect(text).toContain(
      `  controller  0 pass, 0 fail, 2 error, 0 skip  UNREACHABLE: connect ECONNREFUSED 10.0.0.11:22\n`,
    );
    expect(text).not.toContain('failing:');
  });

  it('several labs: hosts are labelled lab/host', () => {
    const text = consoleSummary(
      report(
        [entry('student1', 'controller', 'os.release', 'pass'), entry('student2', 'controller', 'os.release', 'fail')],
        [host('student1', 'controller'), host('student2', 'controller')],
      ),
      ['r'],
      PLAIN,
    );
    expect(text).toContain('  student1/controller  1 pass, 0 fail, 0 error, 0 skip\n');
    expect(text).toContain('  student2/controller  0 pass, 1 fail, 0 error, 0 skip  failing: os.release\n');
  });

  it('with colour: counts are red on failure, yellow on errors only, green otherwise', () => {
    const text = consoleSummary(report(ENTRIES, HOSTS), [], paint(true));
    expect(text).toContain('\x1b[1mlabspec summary\x1b[22m');
    expect(text).toContain('\x1b[31m2 pass, 1 fail, 0 error, 1 skip\x1b[39m');
    expect(text).toContain('\x1b[32m1 pass, 0 fail, 0 error, 0 skip\x1b[39m');
    const errorsOnly = consoleSummary(
      report([entry('default', 'controller', 'os.release', 'error')], []),
      [],
      paint(true),
    );
    expect(errorsOnly).toContain('\x1b[33m0 pass, 0 fail, 1 error, 0 skip\x1b[39m');
  });
});

describe('verdict list', () => {
  const judged = ENTRIES.map((e) => ({ label: `${e.host ?? '(lab)'} › ${e.check}`, entry: e }));

  it('only failures and errors, in report order, each with expected, actual, source and its fix', () => {
    expect(verdictList(judged, PLAIN)).toBe(
      [
        '✗ controller › selinux.runtime  SELinux enforces now',
        '    expected: e',
        '    actual:   a',
        '    source:   s',
        '    fix:      f',
        '! compute1 › os.release  probe release: expected one line, got 17',
        '    expected: e',
        '    actual:   a',
        '    source:   s',
        '✗ compute1 › firewalld.stopped  firewalld is active',
        '    expected: e',
        '    actual:   a',
        '    source:   s',
        '    fix:      f',
        '',
      ].join('\n'),
    );
  });

  it('a multi-line actual stays aligned under its label; nothing to show is an empty string', () => {
    const multi = [{ label: 'c › x', entry: { ...ENTRIES[1]!, actual: 'line 1\nline 2' } }];
    expect(verdictList(multi, PLAIN)).toContain('    actual:   line 1\n              line 2\n');
    expect(verdictList(judged.slice(0, 1), PLAIN)).toBe('');
  });
});
