import { describe, expect, it } from 'vitest';
import type { HostRecord } from '../../../helpers/run-data.ts';
import { consoleSummary } from '../../../outputs/console-summary.ts';
import type { ResultEntry } from '../../../outputs/result-entry.ts';
import { buildResultsJson, RESULTS_SCHEMA, resultsDocument } from '../../../outputs/results-json.ts';

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
    snapshot: `reports/facts/${name}.json`,
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
    status,
    expected: 'e',
    actual: 'a',
    source: 's',
    message,
    fix: status === 'fail' ? 'f' : '',
  };
}

const ENTRIES = [
  entry('default', 'controller', 'os.release', 'pass'),
  entry('default', 'controller', 'selinux.runtime', 'fail'),
  entry('default', 'controller', 'chrony.source', 'skip'),
  entry(
    'default',
    'controller',
    'chrony.localclock',
    'pass',
    "warning: /etc/chrony.conf:4 'server 127.127.1.0' is ntpd's local-clock driver; remove it",
  ),
  entry('default', 'compute1', 'os.release', 'error', 'probe release: expected one line, got 17'),
  entry('default', 'compute1', 'firewalld.stopped', 'fail'),
  entry('default', null, 'topology.hosts', 'pass'),
];
const HOSTS = [host('default', 'controller'), host('default', 'compute1')];

describe('results.json', () => {
  const parsed = JSON.parse(buildResultsJson(ENTRIES, HOSTS)) as Record<string, unknown>;

  it('schema, summary counts, hosts and results as given', () => {
    expect(Object.keys(parsed)).toEqual(['schema', 'generatedAt', 'summary', 'hosts', 'results']);
    expect(parsed.schema).toBe(RESULTS_SCHEMA);
    expect(RESULTS_SCHEMA).toBe('labspec/results@1');
    expect(parsed.summary).toEqual({ pass: 3, fail: 2, error: 1, skip: 1 });
    expect(resultsDocument.safeParse(parsed).success).toBe(true);
    expect(parsed.hosts).toEqual(HOSTS);
    expect(parsed.results).toEqual(ENTRIES);
    expect(new Date(parsed.generatedAt as string).toISOString()).toBe(parsed.generatedAt);
  });

  it('no entries: all counts zero; the text ends with a newline', () => {
    const text = buildResultsJson([], []);
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text).summary).toEqual({ pass: 0, fail: 0, error: 0, skip: 0 });
  });
});

describe('console summary', () => {
  it('per host: counts, then the failing check IDs (errors marked); warnings listed; report paths last', () => {
    const text = consoleSummary(ENTRIES, HOSTS, ['reports/junit.xml', 'reports/results.json']);
    expect(text.split('\n')).toEqual([
      '',
      'labspec summary',
      // the column width comes from the longest "lab/host" key ("default/(cross-host)", 20 characters)
      `  ${'controller'.padEnd(12)}  2 pass, 1 fail, 0 error, 1 skip  failing: selinux.runtime`,
      `  ${'compute1'.padEnd(12)}  0 pass, 1 fail, 1 error, 0 skip  failing: os.release (error), firewalld.stopped`,
      `  ${'(cross-host)'.padEnd(12)}  1 pass, 0 fail, 0 error, 0 skip`,
      "  warning controller chrony.localclock: /etc/chrony.conf:4 'server 127.127.1.0' is ntpd's local-clock driver; remove it",
      'reports: reports/junit.xml, reports/results.json',
      '',
    ]);
  });

  it("lists each host's connection notes (e.g. a key recorded under accept-new)", () => {
    const hosts = [
      { ...host('default', 'compute1'), notes: ['host key recorded in /root/.ssh/known_hosts (accept-new)'] },
    ];
    const text = consoleSummary([entry('default', 'compute1', 'os.release', 'pass')], hosts, ['reports/junit.xml']);
    expect(text).toContain('\n  note compute1: host key recorded in /root/.ssh/known_hosts (accept-new)\n');
  });

  it('an unreachable host says so instead of listing its errors', () => {
    const hosts = [
      host('default', 'controller', { ok: false, failure: 'refused', message: 'connect ECONNREFUSED 10.0.0.11:22' }),
    ];
    const text = consoleSummary(
      [entry('default', 'controller', 'os.release', 'error'), entry('default', 'controller', 'host.hostname', 'error')],
      hosts,
      ['r'],
    );
    expect(text).toContain(
      `  ${'controller'.padEnd('controller'.length)}  0 pass, 0 fail, 2 error, 0 skip  UNREACHABLE: connect ECONNREFUSED 10.0.0.11:22\n`,
    );
    expect(text).not.toContain('failing:');
  });

  it('several labs: hosts are labelled lab/host', () => {
    const text = consoleSummary(
      [entry('student1', 'controller', 'os.release', 'pass'), entry('student2', 'controller', 'os.release', 'fail')],
      [host('student1', 'controller'), host('student2', 'controller')],
      ['r'],
    );
    expect(text).toContain('  student1/controller  1 pass, 0 fail, 0 error, 0 skip\n');
    expect(text).toContain('  student2/controller  0 pass, 1 fail, 0 error, 0 skip  failing: os.release\n');
  });
});
