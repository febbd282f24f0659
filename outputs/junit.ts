import { CROSS_HOST_NAME } from '../inventory/load.ts';
import type { HostRecord, ResultEntry, RunReport } from './report.ts';
import { xmlSafe } from './xml-text.ts';

/**
 * junit.xml, written for what CI systems display (shared/junit/CONSUMERS.md) within the Jenkins schema:
 * - one testsuite per host and one per lab for cross-host checks, named like its testcases' classname
 *   `<lab>.<host>` (or `<lab>.lab`), so dorny does not nest twice; testcase name = check ID, stable run to run;
 * - the one-line message is also the first line of every failure/error body, since GitLab ignores `message`;
 * - a skip's reason is the text of `<skipped>`, which Jenkins and GitLab read;
 * - `time` on the root, every suite and every case; `timestamp` and `hostname` (the target) on host suites.
 */
export function buildJunit(report: RunReport): string {
  const suites = new Map<string, { record: HostRecord | undefined; lab: string; cases: ResultEntry[] }>();
  for (const entry of report.results) {
    const key = classname(entry);
    const suite = suites.get(key) ?? {
      record: report.hosts.find((h) => h.lab === entry.lab && h.host === entry.host),
      lab: entry.lab,
      cases: [],
    };
    suite.cases.push(entry);
    suites.set(key, suite);
  }
  const counts = report.summary;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${attributes({
      name: 'labspec',
      tests: report.results.length,
      failures: counts.fail,
      errors: counts.error,
      time: seconds(report.run.durationMs),
    })}>`,
  ];
  for (const [name, suite] of suites) lines.push(...suiteXml(name, suite, report));
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

function suiteXml(
  name: string,
  suite: { record: HostRecord | undefined; lab: string; cases: ResultEntry[] },
  report: RunReport,
) {
  const { record, cases } = suite;
  const count = (status: ResultEntry['status']) => cases.filter((c) => c.status === status).length;
  const caseTime = cases.reduce((sum, c) => sum + c.durationMs, 0);
  const header = attributes({
    name,
    tests: cases.length,
    failures: count('fail'),
    errors: count('error'),
    skipped: count('skip'),
    time: seconds((record?.durationMs ?? 0) + caseTime),
    timestamp: (record?.startedAt ?? report.run.startedAt).replace(/\.\d+Z$|Z$/, ''),
    ...(record ? { hostname: record.address } : {}),
  });
  const properties: Array<[string, string]> = [
    ['run', report.run.id],
    ['lab', suite.lab],
    ...(record
      ? ([
          ['host', record.host],
          ['address', record.address],
          ['labAddress', record.labAddress],
          ['role', record.role],
          ['transport', record.transport],
          ['snapshot', record.snapshot],
          ['commands', record.commands.join('\n')],
        ] as Array<[string, string]>)
      : []),
  ];
  return [
    `  <testsuite ${header}>`,
    '    <properties>',
    ...properties.map(([key, value]) => `      <property ${attributes({ name: key, value })}/>`),
    '    </properties>',
    ...cases.map(caseXml),
    '  </testsuite>',
  ];
}

function caseXml(entry: ResultEntry): string {
  const open = `    <testcase ${attributes({ classname: classname(entry), name: entry.check, time: seconds(entry.durationMs) })}`;
  const details = [
    `check: ${entry.title}`,
    `expected: ${entry.expected}`,
    `actual: ${entry.actual}`,
    `source: ${entry.source}`,
    entry.fix && `fix: ${entry.fix}`,
  ].filter(Boolean);
  const body = (element: string, type: string) =>
    `      <${element} ${attributes({ message: entry.message, type })}>${text([entry.message, ...details].join('\n'))}</${element}>`;
  switch (entry.status) {
    case 'fail':
      return [`${open}>`, body('failure', 'CheckFailed'), '    </testcase>'].join('\n');
    case 'error':
      return [`${open}>`, body('error', 'CheckError'), '    </testcase>'].join('\n');
    case 'skip':
      return [`${open}>`, `      <skipped>${text(entry.message)}</skipped>`, '    </testcase>'].join('\n');
    case 'pass': {
      const out = [entry.message, ...details].filter(Boolean).join('\n');
      return [`${open}>`, `      <system-out>${text(out)}</system-out>`, '    </testcase>'].join('\n');
    }
  }
}

function classname(entry: Pick<ResultEntry, 'lab' | 'host'>): string {
  return `${entry.lab}.${entry.host ?? CROSS_HOST_NAME}`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}="${escape(String(value), true)}"`)
    .join(' ');
}

function text(value: string): string {
  return escape(value, false);
}

/** Host output may hold anything: made XML-safe first, then escaped, so no byte can end an element or a section. */
function escape(value: string, attribute: boolean): string {
  const escaped = xmlSafe(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
  return attribute ? escaped.replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;') : escaped;
}
