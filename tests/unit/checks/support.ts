import type { ChronyDirective } from '../../../probes/chrony-config.ts';
import { chronyConfigProbe } from '../../../probes/chrony-config.ts';
import { etcHostsProbe, type EtcHostsEntry } from '../../../probes/etc-hosts.ts';
import type { CommandOutput } from '../../../probes/probe.ts';

export { corpus } from '../probes/fixtures.ts';

const GLOBS = ['/etc/chrony.conf', '/etc/chrony/chrony.conf', '/etc/chrony/conf.d/*.conf', '/etc/chrony/sources.d/*.sources'];

/**
 * What the chrony-config probe's `grep -HnZ '' <globs>` prints for these files: "path\0lineno:content"
 * per line on stdout, "No such file or directory" on stderr for every glob that matched nothing.
 */
export function grepHnZ(files: Record<string, string>): CommandOutput {
  let stdout = '';
  for (const [path, text] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    lines.forEach((line, i) => (stdout += `${path}\0${i + 1}:${line}\n`));
  }
  const missing = GLOBS.filter((g) => !Object.keys(files).some((p) => p === g || (g.includes('*') && p.startsWith(g.slice(0, g.indexOf('*'))))));
  const stderr = missing.map((m) => `grep: ${m}: No such file or directory\n`).join('');
  return { stdout, stderr, exitCode: missing.length > 0 ? 2 : stdout === '' ? 1 : 0 };
}

/** /etc/chrony.conf with this text, through the real chrony-config parser. */
export function chronyDirectives(text: string, path = '/etc/chrony.conf'): ChronyDirective[] {
  return chronyConfigProbe.parse({ files: grepHnZ({ [path]: text }) }).directives;
}

/** /etc/hosts with this text, through the real etc-hosts parser. */
export function hostsEntries(text: string): EtcHostsEntry[] {
  return etcHostsProbe.parse({ hosts: { stdout: text, stderr: '', exitCode: 0 } }).entries;
}

/** A directive as the parser would produce it, on line `line` of /etc/chrony.conf. */
export function directive(line: number, text: string, file = '/etc/chrony.conf'): ChronyDirective {
  const [keyword, ...args] = text.trim().split(/\s+/);
  return { file, line, keyword: keyword!.toLowerCase(), args };
}

/** Directives from lines of text, numbered from 1. */
export function directives(...lines: string[]): ChronyDirective[] {
  return lines.map((text, i) => directive(i + 1, text));
}
