import { createRequire } from 'node:module';
import type { Builder, TestSuite } from 'junit-report-builder';
import type { HostRecord } from '../helpers/run-data.ts';
import type { ResultEntry } from './result-entry.ts';
import { xmlSafe } from './xml-text.ts';

// The package's types declare an ES default export, but at run time module.exports is the builder itself.
const junitReportBuilder = createRequire(import.meta.url)('junit-report-builder') as Builder;

/**
 * Text for a CDATA body. The builder (xmlbuilder's cdata) splits only the FIRST "]]>" of a body, so a
 * second one would end the section early and break the XML: show every "]]>" as a visible escape.
 */
const cdataSafe = (text: string): string => xmlSafe(text).replace(/]]>/g, ']]\\x3e');

/**
 * One testsuite per host (and one per lab for cross-host checks), one testcase per check:
 * classname `<lab>.<host>`, name the check ID, so both stay stable from run to run.
 */
export function buildJunit(entries: ResultEntry[], hosts: HostRecord[]): string {
  const report = junitReportBuilder.newBuilder();
  const suites = new Map<string, TestSuite>();
  const suiteFor = (entry: ResultEntry) => {
    const key = `${entry.lab}\u0000${entry.host ?? ''}`;
    let suite = suites.get(key);
    if (!suite) {
      suite = report.testSuite().name(xmlSafe(entry.host === null ? `${entry.lab} (cross-host)` : `${entry.lab}/${entry.host}`));
      const record = hosts.find((h) => h.lab === entry.lab && h.host === entry.host);
      suite.property('lab', xmlSafe(entry.lab));
      if (record) {
        suite
          .property('host', xmlSafe(record.host))
          .property('address', xmlSafe(record.address))
          .property('labAddress', xmlSafe(record.labAddress))
          .property('role', record.role)
          .property('transport', xmlSafe(record.transport))
          .property('snapshot', xmlSafe(record.snapshot))
          .property('commands', xmlSafe(record.commands.join('\n')))
          .time(record.durationMs / 1000);
      }
      suites.set(key, suite);
    }
    return suite;
  };
  for (const entry of entries) {
    const testCase = suiteFor(entry)
      .testCase()
      .className(xmlSafe(`${entry.lab}.${entry.host ?? 'lab'}`))
      .name(xmlSafe(entry.check));
    const details = cdataSafe(
      [`check: ${entry.title}`, `expected: ${entry.expected}`, `actual: ${entry.actual}`, `source: ${entry.source}`, entry.fix && `fix: ${entry.fix}`]
        .filter(Boolean)
        .join('\n'),
    );
    if (entry.status === 'fail') testCase.failure(xmlSafe(entry.message), 'CheckFailed').stacktrace(details);
    else if (entry.status === 'error') testCase.error(xmlSafe(entry.message), 'CheckError', details);
    else if (entry.status === 'skip') testCase.skipped().standardOutput(cdataSafe(entry.message));
    else testCase.standardOutput(details + (entry.message ? `\n${cdataSafe(entry.message)}` : ''));
  }
  // The Jenkins schema has no `skipped` attribute on <testsuites>; the builder always writes one.
  return report.build().replace(/^(<\?xml[^>]*>\s*<testsuites\b[^>]*?) skipped="\d+"/, '$1');
}
