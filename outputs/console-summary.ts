import type { HostRecord } from '../helpers/run-data.ts';
import type { ResultEntry } from './result-entry.ts';

/** A few lines a person reads first: per host, the counts and the failing check IDs. */
export function consoleSummary(entries: ResultEntry[], hosts: HostRecord[], written: string[]): string {
  const groups = new Map<string, ResultEntry[]>();
  for (const e of entries) {
    const key = `${e.lab}/${e.host ?? '(cross-host)'}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const multipleLabs = new Set(entries.map((e) => e.lab)).size > 1;
  const labelOf = (key: string) => (multipleLabs ? key : key.slice(key.indexOf('/') + 1));
  const width = Math.max(...[...groups.keys()].map((k) => labelOf(k).length), 4);
  const lines = ['', 'labspec summary'];
  for (const [key, group] of groups) {
    const count = (s: ResultEntry['status']) => group.filter((e) => e.status === s).length;
    const failing = group.filter((e) => e.status === 'fail' || e.status === 'error');
    const host = hosts.find((h) => `${h.lab}/${h.host}` === key);
    const label = labelOf(key);
    const unreachable = host && !host.connection.ok ? `  UNREACHABLE: ${host.connection.message}` : '';
    const ids = failing.length > 0 ? `  failing: ${failing.map((e) => `${e.check}${e.status === 'error' ? ' (error)' : ''}`).join(', ')}` : '';
    lines.push(`  ${label.padEnd(width)}  ${count('pass')} pass, ${count('fail')} fail, ${count('error')} error, ${count('skip')} skip${unreachable || ids}`);
  }
  const warnings = entries.filter((e) => e.status === 'pass' && e.message.startsWith('warning:'));
  for (const w of warnings) lines.push(`  warning ${w.host ?? w.lab} ${w.check}: ${w.message.slice('warning: '.length)}`);
  for (const h of hosts) for (const note of h.notes) lines.push(`  note ${multipleLabs ? `${h.lab}/` : ''}${h.host}: ${note}`);
  lines.push(`reports: ${written.join(', ')}`, '');
  return lines.join('\n');
}
