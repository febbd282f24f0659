import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  appendKnownHost,
  checkHostKey,
  entryMatchesHost,
  fingerprint,
  keyTypeOf,
  KnownHostsFiles,
  knownHostsName,
  knownKeyTypes,
  matchPatternList,
  parseKnownHosts,
  preferredHostKeyAlgorithms,
} from '../../../gather/known-hosts.ts';

/** A syntactically valid SSH public key blob: string type, then some bytes. */
function blob(type: string, body: string): Buffer {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, Buffer.from(body)]);
}
const ED_A = blob('ssh-ed25519', 'key-a').toString('base64');
const ED_B = blob('ssh-ed25519', 'key-b').toString('base64');
const RSA_A = blob('ssh-rsa', 'rsa-a').toString('base64');

describe('parseKnownHosts', () => {
  it('parses markers, comments, blank and malformed lines', () => {
    const entries = parseKnownHosts(
      [
        '# comment',
        '',
        `host1,10.0.0.1 ssh-ed25519 ${ED_A} comment here`,
        `@revoked * ssh-ed25519 ${ED_B}`,
        `@cert-authority *.lab ssh-ed25519 ${ED_A}`,
        `@bogus host ssh-ed25519 ${ED_A}`,
        'onlyhost ssh-ed25519',
        `   [h2]:2222 ssh-rsa ${RSA_A}`,
      ].join('\n'),
    );
    expect(entries.map((e) => [e.marker, e.hosts, e.keyType, e.line])).toEqual([
      [null, 'host1,10.0.0.1', 'ssh-ed25519', 3],
      ['revoked', '*', 'ssh-ed25519', 4],
      ['cert-authority', '*.lab', 'ssh-ed25519', 5],
      [null, '[h2]:2222', 'ssh-rsa', 8],
    ]);
  });
});

describe('host matching', () => {
  it('matches comma lists, wildcards and negation', () => {
    const [e] = parseKnownHosts(`*.lab,!bad.lab,10.0.0.? ssh-ed25519 ${ED_A}`);
    expect(entryMatchesHost(e!, 'compute1.lab')).toBe(true);
    expect(entryMatchesHost(e!, 'COMPUTE1.LAB')).toBe(true);
    expect(entryMatchesHost(e!, 'bad.lab')).toBe(false);
    expect(entryMatchesHost(e!, '10.0.0.5')).toBe(true);
    expect(entryMatchesHost(e!, '10.0.0.55')).toBe(false);
    expect(entryMatchesHost(e!, 'lab')).toBe(false);
  });

  it('negation alone never matches', () => {
    expect(matchPatternList('x', ['!y'])).toBe(false);
  });

  it('matches hashed names computed with HMAC-SHA1 and the salt', () => {
    const salt = Buffer.from('0123456789abcdefghij'); // 20 bytes, like ssh-keygen -H
    const hash = createHmac('sha1', salt).update('[10.0.0.7]:2222').digest('base64');
    const [e] = parseKnownHosts(`|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${ED_A}`);
    expect(entryMatchesHost(e!, '[10.0.0.7]:2222')).toBe(true);
    expect(entryMatchesHost(e!, '10.0.0.7')).toBe(false);
    expect(entryMatchesHost(e!, '[10.0.0.7]:22')).toBe(false);
  });

  it('uses [host]:port only for non-22 ports', () => {
    expect(knownHostsName('h', 22)).toBe('h');
    expect(knownHostsName('h', 2222)).toBe('[h]:2222');
    const [e] = parseKnownHosts(`h ssh-ed25519 ${ED_A}`);
    expect(entryMatchesHost(e!, knownHostsName('h', 2222))).toBe(false);
  });
});

describe('checkHostKey', () => {
  const text = [
    `h1 ssh-ed25519 ${ED_A}`,
    `h2 ssh-rsa ${RSA_A}`,
    `@revoked h3 ssh-ed25519 ${ED_B}`,
    `h3 ssh-ed25519 ${ED_B}`,
    `@cert-authority h4 ssh-ed25519 ${ED_A}`,
  ].join('\n');
  const entries = parseKnownHosts(text);

  it('ok, changed, other-type, revoked, unknown', () => {
    expect(checkHostKey(entries, ['h1'], 'ssh-ed25519', ED_A)).toEqual({ status: 'ok' });
    expect(checkHostKey(entries, ['h1'], 'ssh-ed25519', ED_B).status).toBe('changed');
    expect(checkHostKey(entries, ['h2'], 'ssh-ed25519', ED_A)).toEqual({
      status: 'other-type',
      knownTypes: ['ssh-rsa'],
    });
    expect(checkHostKey(entries, ['h3'], 'ssh-ed25519', ED_B)).toEqual({ status: 'revoked' });
    expect(checkHostKey(entries, ['nope'], 'ssh-ed25519', ED_A)).toEqual({ status: 'unknown' });
  });

  it('ignores @cert-authority lines as matches', () => {
    expect(checkHostKey(entries, ['h4'], 'ssh-ed25519', ED_A)).toEqual({ status: 'unknown' });
  });

  it('prefers host key algorithms already known for the host', () => {
    expect(knownKeyTypes(entries, ['h2'])).toEqual(['ssh-rsa']);
    const algos = preferredHostKeyAlgorithms(['ssh-rsa']);
    expect(algos.slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(algos).toContain('ssh-ed25519');
    expect(preferredHostKeyAlgorithms([])[0]).toBe('ssh-ed25519');
  });
});

describe('key helpers', () => {
  it('reads the key type and prints OpenSSH fingerprints', () => {
    const b = blob('ssh-ed25519', 'abc');
    expect(keyTypeOf(b)).toBe('ssh-ed25519');
    const expected = createHash('sha256').update(b).digest('base64').replace(/=+$/, '');
    expect(fingerprint(b)).toBe(`SHA256:${expected}`);
    expect(fingerprint(b)).not.toMatch(/=$/);
  });
});

describe('KnownHostsFiles: each file read once per run, looked up by name', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const salt = Buffer.from('0123456789abcdefghij');
  const hashed = (name: string) =>
    `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  const TEXT = [
    `h1,10.0.0.1 ssh-ed25519 ${ED_A}`,
    `*.lab,!bad.lab ssh-rsa ${RSA_A}`,
    `@revoked H1 ssh-ed25519 ${ED_B}`,
    `@cert-authority h1 ssh-ed25519 ${ED_A}`,
    `${hashed('[10.0.0.7]:2222')} ssh-ed25519 ${ED_B}`,
    `h1 ssh-rsa ${RSA_A}`,
    `10.0.0.? ssh-ed25519 ${ED_B}`,
  ].join('\n');

  it('finds what a scan of every line finds, in file order: names, patterns, negation, hashes, markers, case', () => {
    dir = mkdtempSync(join(tmpdir(), 'kh-'));
    const file = join(dir, 'known_hosts');
    writeFileSync(file, TEXT);
    const all = parseKnownHosts(TEXT);
    const files = new KnownHostsFiles();
    for (const name of [
      'h1',
      'H1',
      '10.0.0.1',
      '10.0.0.5',
      'compute1.lab',
      'bad.lab',
      '[10.0.0.7]:2222',
      '10.0.0.7',
      'nope',
    ]) {
      const scanned = all.filter((e) => e.marker !== 'cert-authority' && entryMatchesHost(e, name));
      expect(files.entriesFor([file], [name]), name).toEqual(scanned);
    }
    expect(files.entriesFor([file], ['h1']).map((e) => e.line)).toEqual([1, 3, 6]);
    expect(files.entriesFor([join(dir, 'missing'), file], ['compute1.lab']).map((e) => e.line)).toEqual([2]);
  });

  it('reads a file again once it changed, as accept-new appends to it', () => {
    dir = mkdtempSync(join(tmpdir(), 'kh-'));
    const file = join(dir, 'known_hosts');
    const files = new KnownHostsFiles();
    expect(files.entriesFor([file], ['[h]:2222'])).toEqual([]);
    writeFileSync(file, TEXT);
    expect(files.entriesFor([file], ['[h]:2222'])).toEqual([]);
    appendKnownHost(file, '[h]:2222', 'ssh-ed25519', ED_A);
    expect(checkHostKey(files.entriesFor([file], ['[h]:2222']), ['[h]:2222'], 'ssh-ed25519', ED_A)).toEqual({
      status: 'ok',
    });
  });
});

describe('appendKnownHost', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates dir 0700 and file 0600 and appends on a new line', () => {
    dir = mkdtempSync(join(tmpdir(), 'kh-'));
    const file = join(dir, 'sub', 'known_hosts');
    appendKnownHost(file, '[h]:2222', 'ssh-ed25519', ED_A);
    expect(statSync(join(dir, 'sub')).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    writeFileSync(file, readFileSync(file, 'utf8') + '# no newline');
    appendKnownHost(file, 'h2', 'ssh-rsa', RSA_A);
    expect(readFileSync(file, 'utf8')).toBe(`[h]:2222 ssh-ed25519 ${ED_A}\n# no newline\nh2 ssh-rsa ${RSA_A}\n`);
  });
});
