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
