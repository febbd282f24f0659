/**
 * A subset of ssh_config(5): pure parser and resolver.
 *
 * Supported: global lines, `Host` blocks (several patterns, `*`/`?`, `!negation`), keywords
 * case-insensitive, `key value` and `key=value`, quoted values, first-obtained-value-wins
 * (IdentityFile accumulates), and the keywords in KNOWN below.
 * `Include` splices the named files in place (through the caller's reader, which globs them).
 * `Match` blocks with the criteria `all`, `host`, `originalhost` and `localuser` (negation with
 * `!`, several criteria all required) are evaluated; a Match block using any other criterion
 * (`exec`, `user`, `canonical`, `final`, …) is skipped with a note. Other keywords are ignored silently.
 */
import { homedir, userInfo } from 'node:os';
import { matchPatternList } from './known-hosts.ts';

export interface SshConfigLine {
  keyword: string; // lower-case
  args: string[];
  line: number;
}

export interface SshConfigBlock {
  /** `null` for lines before the first Host/Match (they apply to every host). */
  hostPatterns: string[] | null;
  /** The criteria of a `Match` block, as written; null for global and Host blocks. */
  matchCriteria: string[] | null;
  lines: SshConfigLine[];
}

export interface ParsedSshConfig {
  blocks: SshConfigBlock[];
  /** Problems worth reporting, e.g. unsupported Include. */
  notes: string[];
}

/** Splits arguments like OpenSSH's argv_split: whitespace, "double" and 'single' quotes, `#` comments. */
export function splitArgs(text: string): string[] {
  const args: string[] = [];
  let cur = '';
  let inArg = false;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && text[i + 1] === quote) cur += text[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inArg = true;
    } else if (/\s/.test(c)) {
      if (inArg) args.push(cur);
      cur = '';
      inArg = false;
    } else if (c === '#' && !inArg) {
      break;
    } else {
      cur += c;
      inArg = true;
    }
  }
  if (inArg) args.push(cur);
  return args;
}

/** Reads the files an `Include` argument names (globbed, sorted); OpenSSH's limit on nesting applies. */
export type IncludeReader = (pattern: string) => Array<{ path: string; text: string }>;
const MAX_INCLUDE_DEPTH = 16;

export function parseSshConfig(text: string, readInclude?: IncludeReader): ParsedSshConfig {
  const blocks: SshConfigBlock[] = [{ hostPatterns: null, matchCriteria: null, lines: [] }];
  const notes: string[] = [];
  parseInto(text, 'ssh_config', 0);
  return { blocks, notes };

  function parseInto(content: string, source: string, depth: number): void {
    content.split(/\r?\n/).forEach((raw, i) => {
      const trimmed = raw.trim();
      if (!trimmed || trimmed.startsWith('#')) return;
      const m = /^([A-Za-z][A-Za-z0-9]*)\s*(?:=\s*|\s+|$)(.*)$/.exec(trimmed);
      if (!m) {
        notes.push(`${source} line ${i + 1} ignored: cannot parse`);
        return;
      }
      const keyword = m[1]!.toLowerCase();
      const args = splitArgs(m[2]!);
      if (keyword === 'host') {
        blocks.push({ hostPatterns: args, matchCriteria: null, lines: [] });
      } else if (keyword === 'match') {
        blocks.push({ hostPatterns: null, matchCriteria: args, lines: [] });
      } else if (keyword === 'include') {
        include(args, `${source} line ${i + 1}`, depth);
      } else {
        blocks[blocks.length - 1]!.lines.push({ keyword, args, line: i + 1 });
      }
    });
  }

  /** Included lines count where the Include stands; the enclosing Host block resumes after them. */
  function include(patterns: string[], where: string, depth: number): void {
    if (!readInclude) {
      notes.push(`${where}: Include ignored (no reader)`);
      return;
    }
    if (depth >= MAX_INCLUDE_DEPTH) {
      notes.push(`${where}: Include nested deeper than ${MAX_INCLUDE_DEPTH} levels ignored`);
      return;
    }
    const enclosing = blocks[blocks.length - 1]!;
    for (const pattern of patterns) {
      for (const file of readInclude(pattern)) parseInto(file.text, file.path, depth + 1);
    }
    if (blocks[blocks.length - 1] !== enclosing)
      blocks.push({ hostPatterns: enclosing.hostPatterns, matchCriteria: enclosing.matchCriteria, lines: [] });
  }
}

export interface SshHostConfig {
  hostName?: string;
  user?: string;
  port?: number;
  /** Unexpanded (tokens and `~` left as written); see expandPath. */
  identityFiles: string[];
  /** The raw ProxyJump value; `none` is returned as-is. */
  proxyJump?: string;
  userKnownHostsFiles?: string[];
  strictHostKeyChecking?: 'yes' | 'accept-new' | 'no' | 'ask';
  connectTimeoutSeconds?: number;
  hostKeyAlias?: string;
  identityAgent?: string;
  notes: string[];
}

const STRICT: Record<string, SshHostConfig['strictHostKeyChecking']> = {
  yes: 'yes',
  'accept-new': 'accept-new',
  no: 'no',
  off: 'no',
  ask: 'ask',
};

/** Applies every matching block to `host` (the name as given, before HostName). */
/**
 * Whether a Match block applies: true, false, or why labspec cannot tell. Each criterion takes a
 * comma-separated pattern list (`all` takes none); `!` negates a criterion.
 */
export function matchBlockApplies(
  criteria: string[],
  names: { host: string; originalHost: string; localUser: string },
): boolean | string {
  const subjects: Record<string, string> = {
    host: names.host,
    originalhost: names.originalHost,
    localuser: names.localUser,
  };
  let applies = true;
  for (let i = 0; i < criteria.length; i++) {
    const raw = criteria[i]!;
    const negated = raw.startsWith('!');
    const criterion = (negated ? raw.slice(1) : raw).toLowerCase();
    if (criterion === 'all') {
      applies &&= !negated;
      continue;
    }
    const subject = subjects[criterion];
    if (subject === undefined) return `criterion ${criterion} is not supported by labspec`;
    const patterns = criteria[++i];
    if (patterns === undefined) return `criterion ${criterion} has no patterns`;
    applies &&= matchPatternList(subject, patterns.split(',')) !== negated;
  }
  return applies;
}

export function resolveSshConfig(config: ParsedSshConfig, host: string): SshHostConfig {
  const out: SshHostConfig = { identityFiles: [], notes: [...config.notes] };
  const seen = new Set<string>();
  const first = (kw: string) => (seen.has(kw) ? false : (seen.add(kw), true));
  for (const block of config.blocks) {
    if (block.matchCriteria) {
      const verdict = matchBlockApplies(block.matchCriteria, {
        host: out.hostName ?? host,
        originalHost: host,
        localUser: userInfo().username,
      });
      if (typeof verdict === 'string')
        out.notes.push(`ssh_config Match ${block.matchCriteria.join(' ')}: ${verdict}; block ignored`);
      if (verdict !== true) continue;
    }
    if (block.hostPatterns && !matchPatternList(host, block.hostPatterns)) continue;
    for (const { keyword, args, line } of block.lines) {
      const value = args[0];
      if (value === undefined) continue;
      switch (keyword) {
        case 'hostname':
          if (first(keyword)) out.hostName = value.replace(/%h/g, host).replace(/%%/g, '%');
          break;
        case 'user':
          if (first(keyword)) out.user = value;
          break;
        case 'port': {
          const port = Number(value);
          if (!Number.isInteger(port) || port < 1 || port > 65535) {
            out.notes.push(`ssh_config line ${line}: bad Port ${value} ignored`);
          } else if (first(keyword)) out.port = port;
          break;
        }
        case 'identityfile':
          out.identityFiles.push(value);
          break;
        case 'proxyjump':
          if (first(keyword)) out.proxyJump = value;
          break;
        case 'userknownhostsfile':
          if (first(keyword)) out.userKnownHostsFiles = args;
          break;
        case 'stricthostkeychecking': {
          const v = STRICT[value.toLowerCase()];
          if (v && first(keyword)) out.strictHostKeyChecking = v;
          break;
        }
        case 'connecttimeout': {
          const s = Number(value);
          if (Number.isFinite(s) && s > 0 && first(keyword)) out.connectTimeoutSeconds = s;
          break;
        }
        case 'hostkeyalias':
          if (first(keyword)) out.hostKeyAlias = value;
          break;
        case 'identityagent':
          if (first(keyword)) out.identityAgent = value;
          break;
      }
    }
  }
  return out;
}

export interface TokenValues {
  /** Remote host name (after HostName). */
  h: string;
  /** Remote user. */
  r: string;
  /** Remote port. */
  p: number;
  /** The host as given on the command line / inventory. */
  n: string;
  /** Local user. */
  u?: string;
  /** Local home directory. */
  d?: string;
}

/** Expands a leading `~` and the %d %u %h %r %p %n %% tokens in a path. */
export function expandPath(path: string, t: TokenValues): string {
  const home = t.d ?? homedir();
  const user = t.u ?? process.env.USER ?? 'root';
  const map: Record<string, string> = { d: home, u: user, h: t.h, r: t.r, p: String(t.p), n: t.n, '%': '%' };
  const tilde = path === '~' || path.startsWith('~/') ? home + path.slice(1) : path;
  return tilde.replace(/%([duhrpn%])/g, (_, k: string) => map[k]!);
}
