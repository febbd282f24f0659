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

const GLOBS = [
  '/etc/chrony.conf',
  '/etc/chrony/chrony.conf',
  '/etc/chrony/conf.d/*.conf',
  '/etc/chrony/sources.d/*.sources',
];

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
  const missing = GLOBS.filter(
    (g) => !Object.keys(files).some((p) => p === g || (g.includes('*') && p.startsWith(g.slice(0, g.indexOf('*'))))),
  );
  const stderr = missing.map((m) => `grep: ${m}: No such file or directory\n`).join('');
  return { stdout, stderr, exitCode: missing.length > 0 ? 2 : stdout === '' ? 1 : 0 };
}
