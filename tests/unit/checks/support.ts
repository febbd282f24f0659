import type { ChronyDirective } from '../../../probes/chrony-config.ts';
import { chronyConfigProbe } from '../../../probes/chrony-config.ts';
import { etcHostsProbe, type EtcHostsEntry } from '../../../probes/etc-hosts.ts';

import { grepHnZ } from '../probes/fixtures.ts';

export { corpus, grepHnZ } from '../probes/fixtures.ts';

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
