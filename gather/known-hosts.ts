/**
 * OpenSSH known_hosts handling: pure parsing/matching plus one small writer.
 * Semantics follow sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT".
 */
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export interface KnownHostEntry {
  marker: 'revoked' | 'cert-authority' | null;
  /** The raw host field: comma-separated patterns or one `|1|salt|hash`. */
  hosts: string;
  keyType: string;
  keyBase64: string;
  line: number;
}

/** Parses known_hosts text; comments, blank and malformed lines are skipped. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#')) return;
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0].startsWith('@')) {
      const m = fields.shift()!.toLowerCase();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return; // unknown marker: OpenSSH ignores the line
    }
    const [hosts, keyType, keyBase64] = fields;
    if (!hosts || !keyType || !keyBase64) return;
    entries.push({ marker, hosts, keyType, keyBase64, line: i + 1 });
  });
  return entries;
}

/** OpenSSH glob: `*` any run, `?` one character; case-insensitive. */
export function matchPattern(name: string, pattern: string): boolean {
  return patternRegExp(pattern).test(name);
}

function patternRegExp(pattern: string): RegExp {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i');
}

/** OpenSSH match_pattern_list: a matching `!pattern` vetoes; else any positive match wins. */
export function matchPatternList(name: string, patterns: string[]): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (matchPattern(name, p.slice(1))) return false;
    } else if (matchPattern(name, p)) {
      matched = true;
    }
  }
  return matched;
}

export function hashHostName(name: string, salt: Buffer): string {
  return createHmac('sha1', salt).update(name).digest('base64');
}

export function entryMatchesHost(entry: KnownHostEntry, name: string): boolean {
  const lower = name.toLowerCase();
  if (entry.hosts.startsWith('|1|')) {
    const [, , salt, hash] = entry.hosts.split('|');
    if (!salt || !hash) return false;
    return hashHostName(lower, Buffer.from(salt, 'base64')) === hash;
  }
  return matchPatternList(lower, entry.hosts.split(','));
}

/** The name known_hosts uses for a host: `host`, or `[host]:port` when the port is not 22. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export type HostKeyStatus =
  | { status: 'ok' }
  | { status: 'unknown' }
  | { status: 'revoked' }
  /** Keys of this type are known for the host, but not this key. */
  | { status: 'changed'; known: KnownHostEntry[] }
  /** The host is known only by keys of other types. */
  | { status: 'other-type'; knownTypes: string[] };

function hostEntries(entries: KnownHostEntry[], names: string[]): KnownHostEntry[] {
  return entries.filter((e) => e.marker !== 'cert-authority' && names.some((n) => entryMatchesHost(e, n)));
}

export function checkHostKey(
  entries: KnownHostEntry[],
  names: string[],
  keyType: string,
  keyBase64: string,
): HostKeyStatus {
  const mine = hostEntries(entries, names);
  const same = (e: KnownHostEntry) => e.keyType === keyType && e.keyBase64 === keyBase64;
  if (mine.some((e) => e.marker === 'revoked' && same(e))) return { status: 'revoked' };
  const plain = mine.filter((e) => e.marker === null);
  if (plain.some(same)) return { status: 'ok' };
  const sameType = plain.filter((e) => e.keyType === keyType);
  if (sameType.length > 0) return { status: 'changed', known: sameType };
  if (plain.length > 0) return { status: 'other-type', knownTypes: [...new Set(plain.map((e) => e.keyType))] };
  return { status: 'unknown' };
}

/** Key types already recorded for the host, in file order. */
export function knownKeyTypes(entries: KnownHostEntry[], names: string[]): string[] {
  const types = hostEntries(entries, names)
    .filter((e) => e.marker === null)
    .map((e) => e.keyType);
  return [...new Set(types)];
}

/** ssh2 host key algorithm names, most preferred first (ssh2's default order). */
const HOST_KEY_ALGORITHMS: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/**
 * Host key algorithms to offer: those matching already-known key types first (as OpenSSH
 * does), so a host known by its ed25519 key is not asked for its RSA key.
 */
export function preferredHostKeyAlgorithms(knownTypes: string[]): string[] {
  const all = Object.values(HOST_KEY_ALGORITHMS).flat();
  const first = knownTypes.flatMap((t) => HOST_KEY_ALGORITHMS[t] ?? []);
  return [...first, ...all.filter((a) => !first.includes(a))];
}

/** The key type is the first SSH string of the public key blob. */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** `SHA256:...` as ssh-keygen -l prints it (base64, no padding). */
export function fingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

export function fingerprintOfBase64(keyBase64: string): string {
  return fingerprint(Buffer.from(keyBase64, 'base64'));
}

export function readKnownHostsFile(file: string): KnownHostEntry[] {
  if (!existsSync(file)) return [];
  return parseKnownHosts(readFileSync(file, 'utf8'));
}

/**
 * The known_hosts files of a run, each read and indexed once: a fleet of N hosts in one known_hosts costs N
 * lookups, not N parses of N lines. A file is read again when it changed (accept-new appends to it).
 */
export class KnownHostsFiles {
  private readonly files = new Map<string, { stamp: string; index: KnownHostsIndex }>();

  /** The entries of `files` that name one of `names` (cert-authority lines aside), in file and line order. */
  entriesFor(files: readonly string[], names: readonly string[]): KnownHostEntry[] {
    const lower = names.map((n) => n.toLowerCase());
    return files.flatMap((file) => this.indexOf(file).entriesFor(lower));
  }

  private indexOf(file: string): KnownHostsIndex {
    let stamp: string;
    try {
      const st = statSync(file);
      stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      return EMPTY_INDEX;
    }
    const known = this.files.get(file);
    if (known?.stamp === stamp) return known.index;
    const index = indexEntries(readKnownHostsFile(file));
    this.files.set(file, { stamp, index });
    return index;
  }
}

interface KnownHostsIndex {
  /** `names` lower-cased. */
  entriesFor(names: readonly string[]): KnownHostEntry[];
}

const EMPTY_INDEX: KnownHostsIndex = { entriesFor: () => [] };

/**
 * Entries whose host field is plain names (no wildcard, no negation, not hashed) are found by name; the others are
 * matched one by one, with their patterns compiled and their salts decoded once.
 */
function indexEntries(entries: KnownHostEntry[]): KnownHostsIndex {
  const byName = new Map<string, KnownHostEntry[]>();
  const matched: { entry: KnownHostEntry; matches: (name: string) => boolean }[] = [];
  for (const entry of entries) {
    if (entry.marker === 'cert-authority') continue;
    const patterns = entry.hosts.split(',');
    if (!entry.hosts.startsWith('|1|') && patterns.every((p) => !/[*?!]/.test(p))) {
      for (const name of new Set(patterns.map((p) => p.toLowerCase()))) {
        const list = byName.get(name);
        if (list) list.push(entry);
        else byName.set(name, [entry]);
      }
    } else {
      matched.push({ entry, matches: matcherOf(entry) });
    }
  }
  return {
    entriesFor(names) {
      const found = new Set<KnownHostEntry>();
      for (const name of names) for (const entry of byName.get(name) ?? []) found.add(entry);
      for (const { entry, matches } of matched) if (names.some(matches)) found.add(entry);
      return [...found].sort((a, b) => a.line - b.line);
    },
  };
}

/** entryMatchesHost for one entry, prepared: for a lower-cased name. */
function matcherOf(entry: KnownHostEntry): (name: string) => boolean {
  if (entry.hosts.startsWith('|1|')) {
    const [, , salt, hash] = entry.hosts.split('|');
    if (!salt || !hash) return () => false;
    const key = Buffer.from(salt, 'base64');
    return (name) => hashHostName(name, key) === hash;
  }
  const patterns = entry.hosts.split(',').map((p) => {
    const negated = p.startsWith('!');
    return { negated, re: patternRegExp(negated ? p.slice(1) : p) };
  });
  return (name) => {
    let matched = false;
    for (const { negated, re } of patterns) {
      if (!re.test(name)) continue;
      if (negated) return false;
      matched = true;
    }
    return matched;
  };
}

/** Appends `name keytype base64`, creating the directory (0700) and file (0600) if needed. */
export function appendKnownHost(file: string, name: string, keyType: string, keyBase64: string): void {
  const dir = dirname(file);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  let prefix = '';
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    if (text.length > 0 && !text.endsWith('\n')) prefix = '\n';
  }
  appendFileSync(file, `${prefix}${name} ${keyType} ${keyBase64}\n`, { mode: 0o600 });
}
