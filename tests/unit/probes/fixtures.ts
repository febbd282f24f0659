import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { UnparsableOutput, type CommandOutput } from '../../../probes/probe.ts';

const CORPUS = join(import.meta.dirname, '../../fixtures/corpus');

/** A corpus file as the gather layer would hand it over (UTF-8, invalid bytes → U+FFFD). */
export function corpus(category: string, file: string): string {
  return readFileSync(join(CORPUS, category, file), 'utf8');
}

export function corpusFiles(category: string): string[] {
  return readdirSync(join(CORPUS, category)).sort();
}

export function ok(stdout: string, stderr = ''): CommandOutput {
  return { stdout, stderr, exitCode: 0 };
}

export function run(stdout: string, stderr: string, exitCode: number): CommandOutput {
  return { stdout, stderr, exitCode };
}

/** The probe outputs captured on this Debian 12 machine (tests/fixtures/corpus/debian12-this-host). */
export function debianHost(probe: string): Record<string, CommandOutput> {
  const all = JSON.parse(corpus('debian12-this-host', 'probe-outputs.json')) as Record<
    string,
    Record<string, CommandOutput>
  >;
  const outputs = all[probe];
  if (outputs === undefined) throw new Error(`no capture for ${probe}`);
  return outputs;
}

/**
 * How chronyd starts on a lab host (chrony-startup's reader, over SSH on the local lab): running as
 * `/usr/sbin/chronyd -F 1 -x`, from chronyd.service with DAEMON_OPTS from /etc/default/chrony. The development
 * machine has no systemd, so tests that judge chrony.conf take this as how chronyd starts.
 */
export function labChronydStartup(): CommandOutput {
  return ok(corpus('chrony', 'chrony-startup__labspec-lab-debian12-systemd252-running-F1-x.txt'));
}

/** Asserts that fn throws UnparsableOutput and returns it, so tests can check the reason. */
export function expectUnparsable(fn: () => unknown): UnparsableOutput {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UnparsableOutput);
    const unparsable = error as UnparsableOutput;
    expect(unparsable.message).not.toMatch(/\n/);
    return unparsable;
  }
  throw new Error('expected UnparsableOutput, but parse returned');
}

/** Hostile inputs every parser must survive (parse or reject, never crash with another error). */
export const HOSTILE: Record<string, string> = {
  invalidUtf8: Buffer.from([0x66, 0x6f, 0xff, 0xfe, 0x0a]).toString('utf8'),
  controlChars: '\u0000\u0001\u001b[31mred\u001b[0m\u0007\u007f\n',
  cdataEnd: ']]> <![CDATA[ x ]]>\n',
  megabyteLine: `${'A'.repeat(1024 * 1024)}\n`,
  crlfGarbage: 'foo\r\nbar\r\n',
  empty: '',
};

/** A file the emulated host has: its text, or the reason grep gives for not reading it ("Permission denied"). */
export type HostFile = string | { unreadable: string };

/**
 * What the chrony-config probe's reader (probes/chrony-config.ts chronyConfigReader) prints on a host
 * holding these files, emulated step by step as the shell script runs: the files it reads as
 * `grep -aHnZ` records and `\0file` records, the include/confdir/sourcedir patterns it expands with
 * their matches, grep's complaints on stderr. A path ending in "/" is an (empty) directory. Checked
 * against the real reader in a real shell by tests/unit/probes/chrony-config.test.ts.
 */
export function grepHnZ(
  files: Record<string, HostFile>,
  mainFiles: readonly string[] = ['/etc/chrony.conf', '/etc/chrony/chrony.conf'],
): CommandOutput {
  const paths = Object.keys(files).filter((p) => !p.endsWith('/'));
  const dirs = new Set<string>();
  for (const p of Object.keys(files))
    for (let i = p.indexOf('/', 1); i > 0; i = p.indexOf('/', i + 1)) dirs.add(p.slice(0, i));
  const exists = (p: string) => p in files || dirs.has(p);
  const magic = (p: string) => /[[*?]/.test(p);
  let stdout = '';
  let stderr = '';
  const r = (level: number, chain: string, targets: string[]): void => {
    for (const f of targets) {
      const content = files[f];
      if (typeof content !== 'string') {
        stderr += `grep: ${f}: ${content?.unreadable ?? 'No such file or directory'}\n`;
        stdout += `\0file\0${f}\x002\0\n`;
        continue;
      }
      const lines = content.split('\n');
      if (lines.at(-1) === '') lines.pop();
      lines.forEach((line, i) => (stdout += `${f}\0${i + 1}:${line}\n`));
      stdout += `\0file\0${f}\0${lines.length > 0 ? 0 : 1}\0${content.split('\n').length - 1}\n`;
      if (level >= 10 || chain.includes(` ${f} `)) continue;
      const scanned = content
        .replace(/\0/g, '\n')
        .replace(/[\t\r\v\f]/g, ' ')
        .split('\n');
      for (const line of scanned) {
        if (!/^ *(include|confdir|sourcedir) /i.test(line)) continue;
        const [k, ...words] = line.trim().split(/ +/) as [string, ...string[]];
        const suffix = /^i/i.test(k) ? '' : /^c/i.test(k) ? '/*.conf' : '/*.sources';
        for (const word of words) {
          const p = word + suffix;
          if (!p.startsWith('/')) continue;
          stdout += `\0glob\0${p}\0\n`;
          const found = glob(p, [...paths, ...dirs]);
          for (const g of found.length > 0 ? found : [p]) {
            if (g === p && !exists(g) && magic(p)) {
              const q = p.slice(0, p.lastIndexOf('/'));
              const bits = [exists(q), dirs.has(q), dirs.has(q) && !(typeof files[`${q}/`] === 'object')];
              stdout += `\0nomatch\0${p}\0${bits.map((b) => (b ? 0 : 1)).join('')}\0\n`;
              continue;
            }
            stdout += `\0match\0${p}\0${g}\0\n`;
            if (suffix === '/*.sources') r(10, '', [g]);
            else r(level + 1, `${chain}${f} `, [g]);
          }
          stdout += `\0globend\0${p}\0\n`;
        }
      }
    }
  };
  r(1, ' ', [...mainFiles]);
  return { stdout: `${stdout}\0end\0\n`, stderr, exitCode: 0 };
}

/** sh's pathname expansion of an absolute pattern over these paths, in byte order (LC_ALL=C). */
function glob(pattern: string, candidates: string[]): string[] {
  const segment = (s: string) =>
    s
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')
      .replace(/\[!/g, '[^');
  const re = new RegExp(`^${pattern.split('/').map(segment).join('/')}$`);
  return [...new Set(candidates)]
    .filter(
      (c) =>
        re.test(c) && !c.split('/').some((part, i) => part.startsWith('.') && !pattern.split('/')[i]?.startsWith('.')),
    )
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
