import type { ResultEntry, RunReport } from './report.ts';

export interface Paint {
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const ansi = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`;

export function paint(color: boolean): Paint {
  if (!color) return { red: same, green: same, yellow: same, dim: same, bold: same };
  return { red: ansi(31, 39), green: ansi(32, 39), yellow: ansi(33, 39), dim: ansi(2, 22), bold: ansi(1, 22) };
}

function same(text: string): string {
  return text;
}

/** A verdict as a person reads it in a log: the label, then what was expected, seen, where, and the fix. */
export function verdictBlock(label: string, entry: ResultEntry, p: Paint): string {
  const mark = entry.status === 'fail' ? p.red('✗') : p.yellow('!');
  const lines = [
    `${mark} ${p.bold(label)}  ${entry.message}`,
    `    expected: ${entry.expected}`,
    `    actual:   ${entry.actual.split('\n').join('\n              ')}`,
    `    source:   ${entry.source}`,
  ];
  if (entry.fix) lines.push(`    fix:      ${entry.fix}`);
  return lines.join('\n');
}

/**
 * What a run found that is not a pass, in report order, one block each. A host that could not be
 * read is one block for all its checks: they share the one reason.
 */
export function verdictList(judged: ReadonlyArray<{ label: string; entry: ResultEntry }>, p: Paint): string {
  const blocks: string[] = [];
  const unreadShown = new Set<string>();
  for (const { label, entry } of judged) {
    if (entry.status !== 'fail' && entry.status !== 'error') continue;
    if (entry.status === 'error' && entry.source === 'ssh') {
      if (unreadShown.has(entry.message)) continue;
      unreadShown.add(entry.message);
      const host = label.slice(0, label.lastIndexOf(' › '));
      const count = judged.filter((j) => j.entry.status === 'error' && j.entry.message === entry.message).length;
      blocks.push(
        `${p.yellow('!')} ${p.bold(`${host} › ${count} checks not evaluated`)}  ${entry.message}\n    fix:      ${entry.fix}`,
      );
      continue;
    }
    blocks.push(verdictBlock(label, entry, p));
  }
  return blocks.map((b) => `${b}\n`).join('');
}

/** A few lines a person reads first: per host, the counts and the failing check IDs; then where the reports are. */
export function consoleSummary(
  report: RunReport,
  written: readonly string[],
  p: Paint,
  multipleLabs = new Set(report.results.map((e) => e.lab)).size > 1,
): string {
  const groups = new Map<string, ResultEntry[]>();
  for (const e of report.results) {
    const key = `${e.lab}/${e.host ?? '(lab)'}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const labelOf = (key: string) => (multipleLabs ? key : key.slice(key.indexOf('/') + 1));
  const width = Math.max(...[...groups.keys()].map((k) => labelOf(k).length), 4);
  const lines = ['', p.bold('labspec summary')];
  for (const [key, group] of groups) {
    const count = (s: ResultEntry['status']) => group.filter((e) => e.status === s).length;
    const failing = group.filter((e) => e.status === 'fail' || e.status === 'error');
    const host = report.hosts.find((h) => `${h.lab}/${h.host}` === key);
    const unreachable = host && !host.connection.ok ? `  ${p.yellow('UNREACHABLE')}: ${host.connection.message}` : '';
    const ids = failing.map((e) => `${e.check}${e.status === 'error' ? ' (error)' : ''}`).join(', ');
    const counts = `${count('pass')} pass, ${count('fail')} fail, ${count('error')} error, ${count('skip')} skip`;
    const state = count('fail') > 0 ? p.red(counts) : count('error') > 0 ? p.yellow(counts) : p.green(counts);
    lines.push(`  ${labelOf(key).padEnd(width)}  ${state}${unreachable || (ids ? `  failing: ${ids}` : '')}`);
  }
  const warnings = report.results.filter((e) => e.status === 'pass' && e.message.startsWith('warning:'));
  for (const w of warnings)
    lines.push(`  warning ${w.host ?? w.lab} ${w.check}: ${w.message.slice('warning: '.length)}`);
  for (const skipped of chosenSkips(report.results, multipleLabs)) lines.push(`  ${skipped}`);
  for (const h of report.hosts)
    for (const note of h.notes) lines.push(`  note ${multipleLabs ? `${h.lab}/` : ''}${h.host}: ${note}`);
  const shard = report.run.shard;
  if (shard) {
    const labs = [...new Set(report.hosts.map((h) => h.lab))];
    const hosts = report.hosts.length;
    lines.push(
      labs.length === 0
        ? `shard ${shard.index}/${shard.count}: no lab of the inventory falls to this shard; nothing to read`
        : `shard ${shard.index}/${shard.count}: ${labs.join(', ')} (${hosts} host${hosts === 1 ? '' : 's'})`,
    );
  }
  const { pass, fail, error, skip } = report.summary;
  lines.push(`${pass} passed, ${fail} failed, ${error} errored, ${skip} skipped`);
  if (written.length > 0) lines.push(`reports: ${written.join(', ')}`);
  lines.push('');
  return lines.join('\n');
}

/**
 * The skips someone chose (the image profile, --skip, the inventory's checks.skip), one line per reason and hosts
 * with the checks. A chosen skip names who chose it as its source; a check that does not apply to a host's role has
 * none, and is not listed.
 */
function chosenSkips(results: readonly ResultEntry[], multipleLabs: boolean): string[] {
  const hostsOf = new Map<string, { check: string; message: string; hosts: string[] }>();
  for (const e of results) {
    if (e.status !== 'skip' || e.source === '') continue;
    const key = `${e.check}\u0000${e.message}`;
    const entry = hostsOf.get(key) ?? { check: e.check, message: e.message, hosts: [] };
    entry.hosts.push(multipleLabs ? `${e.lab}/${e.host ?? '(lab)'}` : (e.host ?? '(lab)'));
    hostsOf.set(key, entry);
  }
  const lines = new Map<string, { message: string; hosts: string; checks: string[] }>();
  for (const { check, message, hosts } of hostsOf.values()) {
    const key = `${message}\u0000${hosts.join(', ')}`;
    const line = lines.get(key) ?? { message, hosts: hosts.join(', '), checks: [] };
    line.checks.push(check);
    lines.set(key, line);
  }
  return [...lines.values()].map((l) => `skip ${l.checks.join(', ')} on ${l.hosts}: ${l.message}`);
}
