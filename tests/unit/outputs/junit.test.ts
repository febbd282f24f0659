import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseTestResults, type ITestResult } from 'test-results-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { buildJunit } from '../../../outputs/junit.ts';
import {
  RESULTS_SCHEMA,
  resultsDocument,
  summarize,
  type HostRecord,
  type ResultEntry,
  type RunReport,
} from '../../../outputs/report.ts';
import { xmlSafe } from '../../../outputs/xml-text.ts';

const XSD = join(import.meta.dirname, '../../fixtures/junit/jenkins-junit.xsd');
const dir = mkdtempSync(join(tmpdir(), 'labspec-junit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

const XMLLINT = spawnSync('xmllint', ['--version'], { encoding: 'utf8' }).error === undefined;
const NO_XMLLINT = 'xmllint is missing: install libxml2-utils (scripts/ensure-debian-packages.sh test does)';
/** A test that needs xmllint: skipped, saying why, on a machine without it. */
function withXmllint(name: string, fn: () => void): void {
  it(name, (context) => {
    context.skip(!XMLLINT, NO_XMLLINT);
    fn();
  });
}

function write(xml: string): string {
  const file = join(dir, `junit-${counter++}.xml`);
  writeFileSync(file, xml);
  return file;
}

/** xmllint's schema validation against the Jenkins JUnit XSD. */
function expectValid(xml: string): void {
  const file = write(xml);
  const result = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
  expect(result.stderr).toBe(`${file} validates\n`);
  expect(result.status).toBe(0);
}

/** An XPath string value, read by xmllint from the report. */
function xpath(xml: string, expression: string): string {
  const result = spawnSync('xmllint', ['--xpath', expression, write(xml)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024, // a hostile body is megabytes long
  });
  expect(result.stderr).toBe('');
  expect(result.stdout.endsWith('\n')).toBe(true);
  return result.stdout.slice(0, -1); // xmllint ends every result with a newline
}

/** The report as a CI reads it: the maintained `test-results-parser` (testbeats), type junit. */
function readBack(xml: string): ITestResult {
  return parseTestResults({ type: 'junit', files: [write(xml)] });
}

/** Every `time` attribute of the root, the suites and the cases, in document order. */
function timesOf(xml: string): Array<{ element: string; time: string | undefined }> {
  return [...xml.matchAll(/<(testsuites|testsuite|testcase)\b([^>]*)>/g)].map(([, element, attrs]) => ({
    element: element!,
    time: /\btime="([^"]*)"/.exec(attrs!)?.[1],
  }));
}

function host(name: string, role: HostRecord['role'], address: string, lab = 'default'): HostRecord {
  return {
    lab,
    host: name,
    address,
    labAddress: address,
    role,
    transport: 'ssh',
    startedAt: '2024-01-01T00:00:00.000Z',
    durationMs: 1500,
    connection: { ok: true },
    notes: [],
    commands: ['env LC_ALL=C /bin/sh -s', 'uname -n'],
    snapshot: `facts/${name}.json`,
  };
}
const HOSTS = [host('controller', 'controller', '10.0.0.11'), host('compute1', 'compute', '10.0.0.31')];

function entry(overrides: Partial<ResultEntry>): ResultEntry {
  return {
    lab: 'default',
    host: 'controller',
    check: 'selinux.runtime',
    title: 'SELinux is permissive or disabled now',
    section: 'selinux',
    status: 'pass',
    expected: 'Permissive or Disabled',
    actual: 'permissive',
    source: 'getenforce ; cat /etc/selinux/config',
    message: '',
    fix: '',
    durationMs: 2,
    ...overrides,
  };
}

/** A RunReport as `labspec run` builds it, checked against results.json's own schema. */
function report(results: ResultEntry[], hosts: HostRecord[], durationMs = 2500): RunReport {
  return resultsDocument.parse({
    schema: RESULTS_SCHEMA,
    run: {
      id: '20240101T000000Z-3fa1',
      kind: 'live',
      gatheredBy: '20240101T000000Z-3fa1',
      startedAt: '2024-01-01T00:00:00.000Z',
      durationMs,
      filter: null,
      checks: { profile: 'full', only: null, skip: [] },
      shard: null,
    },
    summary: summarize(results),
    hosts,
    results,
  });
}

const ENTRIES: ResultEntry[] = [
  entry({}),
  entry({
    check: 'selinux.config',
    title: 'SELinux is disabled in /etc/selinux/config',
    status: 'fail',
    expected: 'SELINUX=disabled',
    actual: 'SELINUX=enforcing',
    source: '/etc/selinux/config:7',
    message: 'SELinux will be enforcing after the next boot',
    fix: "sed -i 's/^SELINUX=.*/SELINUX=disabled/' /etc/selinux/config",
    durationMs: 3,
  }),
  entry({
    check: 'os.release',
    title: 'The host runs CentOS',
    section: 'host',
    status: 'error',
    expected: 'The host runs CentOS',
    actual: 'NAME="TencentOS Server"',
    source: 'cat /etc/centos-release',
    message: 'probe release: expected one line, got 17',
  }),
  entry({
    check: 'chrony.source',
    title: 'The compute node syncs from the controller',
    section: 'ntp',
    status: 'skip',
    expected: '',
    actual: '',
    source: '',
    message: 'applies to compute hosts; controller is controller',
  }),
  entry({
    host: 'compute1',
    check: 'chrony.source',
    title: 'The compute node syncs from the controller',
    section: 'ntp',
    status: 'pass',
    actual: 'server controller iburst',
    source: '/etc/chrony.conf:3',
    durationMs: 5,
  }),
  entry({
    host: 'compute1',
    check: 'firewalld.stopped',
    title: 'firewalld is stopped',
    section: 'services',
    status: 'fail',
    expected: 'not active (or not installed)',
    actual: 'ActiveState=active SubState=running UnitFileState=enabled',
    source: 'systemctl show -p Id,LoadState,ActiveState,SubState,UnitFileState firewalld.service',
    message: 'firewalld is active',
    fix: 'systemctl stop firewalld',
  }),
  entry({
    host: null,
    check: 'topology.hosts',
    title: "Every host's /etc/hosts agrees with the inventory",
    section: 'topology',
    status: 'pass',
    actual: 'all agree',
    source: 'controller:/etc/hosts, compute1:/etc/hosts',
    durationMs: 1,
  }),
];
const REPORT = report(ENTRIES, HOSTS);

describe('xmlSafe', () => {
  it('shows XML-forbidden control characters as visible escapes, keeps tab/LF/CR', () => {
    expect(xmlSafe('a\u0000b\u001b[31mc\u0007\u000b\u000c\u001f')).toBe('a\\x00b\\x1b[31mc\\x07\\x0b\\x0c\\x1f');
    expect(xmlSafe('tab\there\nline\r\n')).toBe('tab\there\nline\r\n');
  });

  it('replaces lone surrogates and U+FFFE/U+FFFF with U+FFFD, keeps valid pairs', () => {
    expect(xmlSafe('x\ud800y')).toBe('x\ufffdy');
    expect(xmlSafe('x\udc00y')).toBe('x\ufffdy');
    expect(xmlSafe('end\ud83d')).toBe('end\ufffd');
    expect(xmlSafe('\ufffe\uffff')).toBe('\ufffd\ufffd');
    expect(xmlSafe('ok \ud83d\ude00')).toBe('ok \ud83d\ude00');
  });
});

describe('buildJunit: structure', () => {
  const xml = buildJunit(REPORT);

  withXmllint('validates against the Jenkins JUnit schema', () => {
    expectValid(xml);
  });

  withXmllint("one testsuite per host, then one for the lab's cross-host checks, with the host's properties", () => {
    expect(xpath(xml, 'count(/testsuites/testsuite)')).toBe('3');
    const property = (suite: number, name: string) =>
      xpath(xml, `string(/testsuites/testsuite[${suite}]/properties/property[@name="${name}"]/@value)`);
    expect(xpath(xml, 'string(/testsuites/testsuite[1]/@name)')).toBe('default.controller');
    expect(property(1, 'run')).toBe('20240101T000000Z-3fa1');
    expect(property(1, 'lab')).toBe('default');
    expect(property(1, 'host')).toBe('controller');
    expect(property(1, 'address')).toBe('10.0.0.11');
    expect(property(1, 'labAddress')).toBe('10.0.0.11');
    expect(property(1, 'role')).toBe('controller');
    expect(property(1, 'transport')).toBe('ssh');
    expect(property(1, 'snapshot')).toBe('facts/controller.json');
    expect(property(1, 'commands')).toBe('env LC_ALL=C /bin/sh -s\nuname -n');
    expect(xpath(xml, 'string(/testsuites/testsuite[2]/@name)')).toBe('default.compute1');
    expect(property(2, 'host')).toBe('compute1');
    expect(property(2, 'role')).toBe('compute');
    expect(xpath(xml, 'string(/testsuites/testsuite[3]/@name)')).toBe('default.lab');
    expect(property(3, 'lab')).toBe('default');
    expect(xpath(xml, 'count(/testsuites/testsuite[3]/properties/property[@name="host"])')).toBe('0');
  });

  withXmllint(
    'each suite is named like the classname of every one of its testcases (dorny does not nest twice)',
    () => {
      expect(xpath(xml, 'count(//testcase)')).toBe(String(ENTRIES.length));
      expect(xpath(xml, 'count(//testsuite/testcase[@classname != ../@name])')).toBe('0');
      expect(xpath(xml, 'count(//testcase[not(@classname)])')).toBe('0');
    },
  );

  withXmllint('classname <lab>.<host> (<lab>.lab for cross-host checks), name = the check ID', () => {
    expect(xpath(xml, 'string(/testsuites/testsuite[1]/testcase[2]/@classname)')).toBe('default.controller');
    expect(xpath(xml, 'string(/testsuites/testsuite[1]/testcase[2]/@name)')).toBe('selinux.config');
    expect(xpath(xml, 'string(/testsuites/testsuite[2]/testcase[1]/@classname)')).toBe('default.compute1');
    expect(xpath(xml, 'string(/testsuites/testsuite[3]/testcase[1]/@classname)')).toBe('default.lab');
    expect(xpath(xml, 'string(/testsuites/testsuite[3]/testcase[1]/@name)')).toBe('topology.hosts');
  });

  it('time on the root, every suite and every case, each a finite number of seconds', () => {
    const times = timesOf(xml);
    expect(times.map((t) => t.element)).toEqual([
      'testsuites',
      'testsuite',
      ...Array(4).fill('testcase'),
      'testsuite',
      ...Array(2).fill('testcase'),
      'testsuite',
      'testcase',
    ]);
    for (const { element, time } of times) {
      expect(time, element).toBeDefined();
      expect(Number.isFinite(parseFloat(time!)), `${element} time="${time}"`).toBe(true);
    }
    // The run's duration on the root; a host suite: reading the host plus judging its checks; a case: its check.
    expect(times[0]!.time).toBe('2.500');
    expect(times[1]!.time).toBe('1.509');
    expect(times[2]!.time).toBe('0.002');
    expect(times[3]!.time).toBe('0.003');
    expect(times[10]!.time).toBe('0.001');
  });

  withXmllint('timestamp (no zone, as Jenkins reads it) and hostname (the target) on host suites', () => {
    expect(xpath(xml, 'string(/testsuites/testsuite[1]/@timestamp)')).toBe('2024-01-01T00:00:00');
    expect(xpath(xml, 'string(/testsuites/testsuite[1]/@hostname)')).toBe('10.0.0.11');
    expect(xpath(xml, 'string(/testsuites/testsuite[2]/@hostname)')).toBe('10.0.0.31');
    expect(xpath(xml, 'count(/testsuites/testsuite[position() < 3][not(@timestamp) or not(@hostname)])')).toBe('0');
    // The lab suite has no single target; it carries the run's start.
    expect(xpath(xml, 'string(/testsuites/testsuite[3]/@timestamp)')).toBe('2024-01-01T00:00:00');
    expect(xpath(xml, 'count(/testsuites/testsuite[3]/@hostname)')).toBe('0');
  });

  withXmllint('fail → <failure>: the message attribute, and the body opens with the same message (GitLab)', () => {
    const failure = '//testsuite[1]/testcase[@name="selinux.config"]/failure';
    expect(xpath(xml, `string(${failure}/@message)`)).toBe('SELinux will be enforcing after the next boot');
    expect(xpath(xml, `string(${failure}/@type)`)).toBe('CheckFailed');
    expect(xpath(xml, `string(${failure})`)).toBe(
      [
        'SELinux will be enforcing after the next boot',
        'check: SELinux is disabled in /etc/selinux/config',
        'expected: SELINUX=disabled',
        'actual: SELINUX=enforcing',
        'source: /etc/selinux/config:7',
        "fix: sed -i 's/^SELINUX=.*/SELINUX=disabled/' /etc/selinux/config",
      ].join('\n'),
    );
  });

  withXmllint('error → <error> with the message first; an error carries no fix line', () => {
    const error = '//testcase[@name="os.release"]/error';
    expect(xpath(xml, `string(${error}/@message)`)).toBe('probe release: expected one line, got 17');
    expect(xpath(xml, `string(${error}/@type)`)).toBe('CheckError');
    expect(xpath(xml, `string(${error})`)).toBe(
      [
        'probe release: expected one line, got 17',
        'check: The host runs CentOS',
        'expected: The host runs CentOS',
        'actual: NAME="TencentOS Server"',
        'source: cat /etc/centos-release',
      ].join('\n'),
    );
  });

  withXmllint('every failure and error body starts with its message attribute as a line of its own', () => {
    const bodies = Number(xpath(xml, 'count(//failure | //error)'));
    expect(bodies).toBe(3);
    for (let i = 1; i <= bodies; i++) {
      const element = `(//failure | //error)[${i}]`;
      const message = xpath(xml, `string(${element}/@message)`);
      expect(message).not.toBe('');
      expect(xpath(xml, `string(${element})`).split('\n')[0]).toBe(message);
    }
  });

  withXmllint('skip → the reason is the text of <skipped> (Jenkins, GitLab), with no system-out', () => {
    const skipped = '//testsuite[1]/testcase[@name="chrony.source"]';
    expect(xpath(xml, `count(${skipped}/skipped)`)).toBe('1');
    expect(xpath(xml, `string(${skipped}/skipped)`)).toBe('applies to compute hosts; controller is controller');
    expect(xpath(xml, `count(${skipped}/skipped/@*)`)).toBe('0');
    expect(xpath(xml, `count(${skipped}/system-out)`)).toBe('0');
  });

  withXmllint('pass → no failure/error/skipped; what was seen goes to system-out', () => {
    const passed = '//testsuite[1]/testcase[@name="selinux.runtime"]';
    expect(xpath(xml, `count(${passed}/*[name()="failure" or name()="error" or name()="skipped"])`)).toBe('0');
    expect(xpath(xml, `string(${passed}/system-out)`)).toBe(
      [
        'check: SELinux is permissive or disabled now',
        'expected: Permissive or Disabled',
        'actual: permissive',
        'source: getenforce ; cat /etc/selinux/config',
      ].join('\n'),
    );
  });

  withXmllint('counts on the root and on every suite; the root has no skipped attribute (the schema has none)', () => {
    expect(xml).toMatch(/<testsuites name="labspec" tests="7" failures="2" errors="1" time="2\.500">/);
    expect(xpath(xml, 'count(/testsuites/@skipped)')).toBe('0');
    const suite = (n: number, attr: string) => xpath(xml, `string(/testsuites/testsuite[${n}]/@${attr})`);
    expect(['tests', 'failures', 'errors', 'skipped'].map((a) => suite(1, a))).toEqual(['4', '1', '1', '1']);
    expect(['tests', 'failures', 'errors', 'skipped'].map((a) => suite(2, a))).toEqual(['2', '1', '0', '0']);
    expect(['tests', 'failures', 'errors', 'skipped'].map((a) => suite(3, a))).toEqual(['1', '0', '0', '0']);
  });

  it('a report with no results is still a valid, empty document', () => {
    const empty = buildJunit(report([], []));
    expect(empty).toContain('<testsuites name="labspec" tests="0" failures="0" errors="0" time="2.500">');
    if (XMLLINT) expectValid(empty);
  });
});

describe('buildJunit: read back by a CI parser (test-results-parser)', () => {
  const xml = buildJunit(REPORT);
  const result = readBack(xml);

  it('root: the total, failures and errors of the run', () => {
    expect(result.name).toBe('labspec');
    expect(result.total).toBe(ENTRIES.length);
    expect(result.failed).toBe(REPORT.summary.fail);
    expect(result.errors).toBe(REPORT.summary.error);
    expect(result.duration).toBe(2500);
    expect(result.status).toBe('FAIL');
  });

  it('root: the Jenkins schema allows no skipped on <testsuites>, so this parser counts skips as passes there', () => {
    // Known consumer behaviour, not a labspec choice: the per-suite counts below are exact.
    expect(result.skipped).toBe(0);
    expect(result.passed).toBe(REPORT.summary.pass + REPORT.summary.skip);
  });

  it('per suite: name, counts (the parser leaves skips out of total), duration and the hostname', () => {
    expect(
      result.suites.map((s) => ({
        name: s.name,
        total: s.total,
        passed: s.passed,
        failed: s.failed,
        errors: s.errors,
        skipped: s.skipped,
        status: s.status,
      })),
    ).toEqual([
      { name: 'default.controller', total: 3, passed: 1, failed: 1, errors: 1, skipped: 1, status: 'FAIL' },
      { name: 'default.compute1', total: 2, passed: 1, failed: 1, errors: 0, skipped: 0, status: 'FAIL' },
      { name: 'default.lab', total: 1, passed: 1, failed: 0, errors: 0, skipped: 0, status: 'PASS' },
    ]);
    const sum = (key: 'passed' | 'failed' | 'errors' | 'skipped') => result.suites.reduce((n, s) => n + s[key], 0);
    expect({ pass: sum('passed'), fail: sum('failed'), error: sum('errors'), skip: sum('skipped') }).toEqual(
      REPORT.summary,
    );
    for (const suite of result.suites) expect(Number.isFinite(suite.duration), suite.name).toBe(true);
    expect((result.suites[0]!.metadata as Record<string, unknown>).hostname).toBe('10.0.0.11');
    expect((result.suites[1]!.metadata as Record<string, unknown>).hostname).toBe('10.0.0.31');
  });

  it('per case: the check ID, its status, and a finite duration', () => {
    const cases = result.suites.flatMap((s) => s.cases.map((c) => ({ suite: s.name, name: c.name, status: c.status })));
    expect(cases).toEqual(
      ENTRIES.map((e) => ({
        suite: `${e.lab}.${e.host ?? 'lab'}`,
        name: e.check,
        status: { pass: 'PASS', fail: 'FAIL', error: 'FAIL', skip: 'SKIP' }[e.status],
      })),
    );
    for (const c of result.suites.flatMap((s) => s.cases)) expect(Number.isFinite(c.duration), c.name).toBe(true);
  });

  it("each failure and error shows the verdict's message, and the message text leads the details", () => {
    const failing = result.suites.flatMap((s) => s.cases).filter((c) => c.status === 'FAIL');
    const expected = ENTRIES.filter((e) => e.status === 'fail' || e.status === 'error');
    expect(failing.map((c) => c.failure)).toEqual(expected.map((e) => e.message));
    for (const [i, c] of failing.entries()) {
      expect(c.stack_trace).toContain(c.failure);
      expect(c.stack_trace.split('\n')[0]).toBe(expected[i]!.message);
      expect(c.stack_trace).toContain(`actual: ${expected[i]!.actual}`);
    }
    expect(failing[0]!.stack_trace).toContain(`fix: ${ENTRIES[1]!.fix}`);
  });

  withXmllint('skipped cases: the parser marks them SKIP; the reason a CI shows is the <skipped> text', () => {
    const skipped = result.suites.flatMap((s) => s.cases).filter((c) => c.status === 'SKIP');
    expect(skipped.map((c) => c.name)).toEqual(['chrony.source']);
    expect(skipped[0]!.failure).toBe('');
    // test-results-parser does not carry skip reasons; Jenkins and GitLab read the element's text.
    expect(xpath(xml, 'string(//testcase[skipped]/skipped)')).toBe(ENTRIES[3]!.message);
  });
});

describe('buildJunit: hostile text from hosts', () => {
  const HOSTILE = {
    ansi: 'chronyd \u001b[1;31mfailed\u001b[0m',
    nul: 'before\u0000after',
    control: '\u0001\u0002\u0007\u0008\u000b\u000c\u000e\u001f\u007f',
    cdataEnd: 'x ]]> y <![CDATA[ z ]]> & < > " \'',
    surrogate: 'lone \ud800 high, lone \udc01 low, end \ud83d',
    nonChars: 'a\ufffeb\uffffc',
    newlines: 'first "line"\nsecond\r\nthird\ttabbed',
    long: `${'A'.repeat(1024 * 1024)}|end`,
  };

  const entries: ResultEntry[] = Object.entries(HOSTILE).map(([name, text]) =>
    entry({
      check: `hostile.${name}`,
      status: 'fail',
      expected: text,
      actual: text,
      source: text,
      message: text,
      fix: text,
      title: text,
    }),
  );
  entries.push(
    entry({
      check: 'hostile.error',
      status: 'error',
      actual: HOSTILE.control + HOSTILE.cdataEnd,
      message: HOSTILE.ansi,
    }),
  );
  entries.push(entry({ check: 'hostile.skip', status: 'skip', message: HOSTILE.nul + HOSTILE.surrogate }));
  entries.push(
    entry({ check: 'hostile.pass', status: 'pass', actual: HOSTILE.ansi + HOSTILE.cdataEnd, message: HOSTILE.nul }),
  );
  const hostile: HostRecord = {
    ...host('controller', 'controller', '10.0.0.11\u0000'),
    transport: 'ssh "quoted"\n<b>',
    commands: ['printf "\\033[31m"', 'cat \u0000file', "grep -q '^.\\*' ]]> &"],
  };
  const xml = buildJunit(report(entries, [hostile]));
  /** What each hostile text reads back as: XML-safe, otherwise the same. */
  const safe = (text: string) => xmlSafe(text);

  withXmllint('validates against the schema', () => {
    expectValid(xml);
  });

  it('no XML-forbidden character remains anywhere in the document', () => {
    // eslint-disable-next-line no-control-regex
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/);
    expect(xml).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });

  withXmllint('control characters show as visible \\x escapes in bodies and attributes', () => {
    expect(xpath(xml, 'string(//testcase[@name="hostile.ansi"]/failure/@message)')).toBe(
      'chronyd \\x1b[1;31mfailed\\x1b[0m',
    );
    expect(xpath(xml, 'string(//testcase[@name="hostile.nul"]/failure/@message)')).toBe('before\\x00after');
    expect(xpath(xml, 'string(//testcase[@name="hostile.control"]/failure/@message)')).toBe(
      '\\x01\\x02\\x07\\x08\\x0b\\x0c\\x0e\\x1f\u007f',
    );
    expect(xpath(xml, 'string(//testcase[@name="hostile.ansi"]/failure)')).toContain(
      'actual: chronyd \\x1b[1;31mfailed\\x1b[0m\n',
    );
    expect(xpath(xml, 'string(//testcase[@name="hostile.error"]/error/@message)')).toBe(
      'chronyd \\x1b[1;31mfailed\\x1b[0m',
    );
    expect(xpath(xml, 'string(/testsuites/testsuite[1]/properties/property[@name="address"]/@value)')).toBe(
      '10.0.0.11\\x00',
    );
    expect(xpath(xml, 'string(/testsuites/testsuite[1]/@hostname)')).toBe('10.0.0.11\\x00');
  });

  withXmllint(']]>, <, &, and quotes survive verbatim in attributes and in bodies', () => {
    const text = HOSTILE.cdataEnd;
    expect(xpath(xml, 'string(//testcase[@name="hostile.cdataEnd"]/failure/@message)')).toBe(text);
    expect(xpath(xml, 'string(//testcase[@name="hostile.cdataEnd"]/failure)')).toBe(
      `${text}\ncheck: ${text}\nexpected: ${text}\nactual: ${text}\nsource: ${text}\nfix: ${text}`,
    );
    expect(xpath(xml, 'string(//testcase[@name="hostile.error"]/error)')).toContain(
      `actual: \\x01\\x02\\x07\\x08\\x0b\\x0c\\x0e\\x1f\u007f${text}\n`,
    );
    expect(xpath(xml, 'string(//testcase[@name="hostile.pass"]/system-out)')).toContain(
      `actual: chronyd \\x1b[1;31mfailed\\x1b[0m${text}\n`,
    );
    expect(xpath(xml, 'string(/testsuites/testsuite[1]/properties/property[@name="commands"]/@value)')).toBe(
      'printf "\\033[31m"\ncat \\x00file\ngrep -q \'^.\\*\' ]]> &',
    );
  });

  it('two ]]> in one body (e.g. XML printed by a host) still make a well-formed, valid report', () => {
    const twice = buildJunit(
      report(
        [entry({ status: 'fail', message: 'm', expected: '<a><![CDATA[1]]></a>', actual: '<a><![CDATA[2]]></a>' })],
        [],
      ),
    );
    expect(twice).not.toContain(']]>');
    if (!XMLLINT) return;
    expectValid(twice);
    expect(xpath(twice, 'string(//failure)')).toContain('expected: <a><![CDATA[1]]></a>\nactual: <a><![CDATA[2]]></a>');
  });

  withXmllint('newlines, CR, tabs and quotes in attributes come back exactly, not normalized to spaces', () => {
    expect(xpath(xml, 'string(//testcase[@name="hostile.newlines"]/failure/@message)')).toBe(HOSTILE.newlines);
    expect(xpath(xml, 'string(/testsuites/testsuite[1]/properties/property[@name="transport"]/@value)')).toBe(
      'ssh "quoted"\n<b>',
    );
    // In the body too: a bare CR would become LF when read back; it is written as a reference.
    expect(xpath(xml, 'string(//testcase[@name="hostile.newlines"]/failure)').startsWith(HOSTILE.newlines)).toBe(true);
  });

  withXmllint('lone surrogates and non-characters become U+FFFD, in <skipped> text too', () => {
    expect(xpath(xml, 'string(//testcase[@name="hostile.surrogate"]/failure/@message)')).toBe(
      'lone \ufffd high, lone \ufffd low, end \ufffd',
    );
    expect(xpath(xml, 'string(//testcase[@name="hostile.nonChars"]/failure/@message)')).toBe('a\ufffdb\ufffdc');
    expect(xpath(xml, 'string(//testcase[@name="hostile.skip"]/skipped)')).toBe(
      'before\\x00afterlone \ufffd high, lone \ufffd low, end \ufffd',
    );
  });

  withXmllint('every failure and error body still starts with its message', () => {
    for (const e of entries.filter((x) => x.status === 'fail' || x.status === 'error')) {
      const element = `//testcase[@name="${e.check}"]/${e.status === 'fail' ? 'failure' : 'error'}`;
      expect(xpath(xml, `string(${element})`).startsWith(`${safe(e.message)}\n`), e.check).toBe(true);
    }
  });

  withXmllint('a megabyte of text is kept whole', () => {
    expect(xpath(xml, 'string-length(//testcase[@name="hostile.long"]/failure/@message) = 1048580')).toBe('true');
    expect(xpath(xml, 'substring-after(//testcase[@name="hostile.long"]/failure/@message, "A|")')).toBe('end');
  });

  it('a CI parser reads the hostile report: counts, and each one-line message as written', () => {
    const result = readBack(xml);
    expect(result.total).toBe(entries.length);
    expect(result.failed).toBe(Object.keys(HOSTILE).length);
    expect(result.errors).toBe(1);
    const cases = new Map(result.suites.flatMap((s) => s.cases).map((c) => [c.name, c]));
    expect(cases.get('hostile.skip')!.status).toBe('SKIP');
    expect(cases.get('hostile.pass')!.status).toBe('PASS');
    expect(cases.get('hostile.error')!.failure).toBe(safe(HOSTILE.ansi));
    for (const [name, text] of Object.entries(HOSTILE)) {
      const c = cases.get(`hostile.${name}`)!;
      expect(c.status, name).toBe('FAIL');
      // test-results-parser (fast-xml-parser) leaves character references such as &#10; in attributes
      // undecoded, so a multi-line message is compared on its body only.
      if (name !== 'newlines') expect(c.failure, name).toBe(safe(text));
      expect(c.stack_trace, name).toContain(`actual: ${safe(text).replace(/\r/g, '&#13;')}`);
    }
  });
});
