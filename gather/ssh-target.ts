/**
 * Turns an inventory SSH target plus ssh_config into concrete hops: the jump hosts in order,
 * then the target. Precedence for each setting: inventory value, then ssh_config, then default.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { matchPattern } from './known-hosts.ts';
import {
  expandPath,
  parseSshConfig,
  resolveSshConfig,
  type IncludeReader,
  type ParsedSshConfig,
  type SshHostConfig,
} from './ssh-config.ts';
import { TransportError } from './transport.ts';

export interface SshTarget {
  /** Inventory host name, used in messages. */
  name: string;
  /** What to connect to: IP, DNS name or an ssh_config Host alias. */
  address: string;
  port?: number;
  user?: string;
  /** `~` expanded; ssh_config IdentityFile entries and ~/.ssh/id_ed25519, id_ecdsa, id_rsa are tried when unset. */
  identityFile?: string;
  /** NAME of an env var holding the private key itself (a CI secret); replaces identityFile and the default keys. */
  privateKeyEnv?: string;
  /** The host's public key, `type base64`, given by whoever built it: the only key accepted; known_hosts is not read. */
  hostKey?: string;
  /** NAME of an env var holding the password (never the password itself). */
  passwordEnv?: string;
  /** NAME of an env var holding the key passphrase. */
  passphraseEnv?: string;
  /** Default ~/.ssh/known_hosts (the caller passes it). */
  knownHostsFile: string;
  strictHostKeyChecking: 'yes' | 'accept-new';
  /** `[user@]host[:port][,more]` as in OpenSSH; else from ssh_config. */
  proxyJump?: string;
  /** Default ~/.ssh/config; null disables. */
  sshConfigFile?: string | null;
  connectTimeoutMs: number;
}

export interface Hop {
  /** For messages: `compute1 (10.0.0.101:22)` or `compute1 via jump host bastion (10.0.0.5:22)`. */
  label: string;
  host: string;
  port: number;
  user: string;
  /** Expanded paths, in the order to try. */
  identityFiles: string[];
  /** The target's key from an environment variable (privateKeyEnv); jump hosts never get it. */
  privateKeyEnv?: string;
  /** The target's pinned host key (hostKey); jump hosts are checked against known_hosts. */
  hostKey?: string;
  /** True when identityFiles came from the inventory: problems with them are errors, not skips. */
  identityExplicit: boolean;
  knownHostsFiles: string[];
  /** Names to look up in known_hosts (HostKeyAlias, else `host` or `[host]:port`). */
  hostKeyAlias?: string;
  strict: 'yes' | 'accept-new';
  connectTimeoutMs: number;
  /** ssh-agent socket path, if any. */
  agent?: string;
}

export interface JumpSpec {
  user?: string;
  host: string;
  port?: number;
}

/** Parses an OpenSSH ProxyJump value: `[user@]host[:port]` or `ssh://[user@]host[:port]`, comma-separated. */
export function parseProxyJump(value: string): JumpSpec[] {
  if (value.trim().toLowerCase() === 'none') return [];
  return value.split(',').map((raw) => {
    let s = raw.trim().replace(/^ssh:\/\//, '');
    let user: string | undefined;
    const at = s.lastIndexOf('@');
    if (at >= 0) {
      user = s.slice(0, at);
      s = s.slice(at + 1);
    }
    let host = s;
    let port: number | undefined;
    const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s) ?? /^([^:]+):(\d+)$/.exec(s);
    if (m) {
      host = m[1]!;
      if (m[2]) port = Number(m[2]);
    }
    if (!host || (port !== undefined && (port < 1 || port > 65535))) {
      throw new TransportError('config', `bad ProxyJump entry "${raw.trim()}"; expected [user@]host[:port]`);
    }
    return { user, host, port };
  });
}

const DEFAULT_KEYS = ['~/.ssh/id_ed25519', '~/.ssh/id_ecdsa', '~/.ssh/id_rsa'];

function loadSshConfig(file: string | null | undefined): ParsedSshConfig {
  const path = file === undefined ? join(homedir(), '.ssh', 'config') : file;
  if (path === null) return { blocks: [], notes: [] };
  const expanded = expandPath(path, { h: '', r: '', p: 22, n: '' });
  if (!existsSync(expanded)) return { blocks: [], notes: [] };
  try {
    return parseSshConfig(readFileSync(expanded, 'utf8'), includeReader(dirname(expanded)));
  } catch (err) {
    throw new TransportError('config', `cannot read ssh config ${expanded}: ${(err as Error).message}`);
  }
}

/** OpenSSH's Include: relative paths are under the config's folder (~/.ssh), `*`/`?` glob the file name. */
function includeReader(configDir: string): IncludeReader {
  return (pattern) => {
    const path = expandPath(pattern, { h: '', r: '', p: 22, n: '' });
    const absolute = isAbsolute(path) ? path : join(configDir, path);
    const dir = dirname(absolute);
    const name = basename(absolute);
    let names: string[];
    try {
      names = /[*?]/.test(name)
        ? readdirSync(dir)
            .filter((n) => matchPattern(n, name))
            .sort()
        : [name];
    } catch {
      return [];
    }
    return names.flatMap((n) => {
      try {
        return [{ path: join(dir, n), text: readFileSync(join(dir, n), 'utf8') }];
      } catch {
        return [];
      }
    });
  };
}

function isDefaultKnownHosts(file: string): boolean {
  const expanded = expandPath(file, { h: '', r: '', p: 22, n: '' });
  return expanded === join(homedir(), '.ssh', 'known_hosts');
}

interface HopInput {
  name: string;
  port?: number;
  user?: string;
  identityFile?: string;
  privateKeyEnv?: string;
  hostKey?: string;
}

function resolveHop(
  input: HopInput,
  cfg: SshHostConfig,
  target: SshTarget,
  label: (host: string, port: number) => string,
  notes: string[],
): Hop {
  const host = cfg.hostName ?? input.name;
  const port = input.port ?? cfg.port ?? 22;
  const user = input.user ?? cfg.user ?? process.env.USER ?? 'root';
  const tokens = { h: host, r: user, p: port, n: input.name };
  const explicit = input.identityFile !== undefined || input.privateKeyEnv !== undefined;
  const identityFiles = (
    input.privateKeyEnv !== undefined
      ? []
      : explicit
        ? [input.identityFile!]
        : cfg.identityFiles.length > 0
          ? cfg.identityFiles
          : DEFAULT_KEYS
  ).map((f) => expandPath(f, tokens));

  // The inventory cannot tell an explicit "yes"/default known_hosts from its defaults, so
  // ssh_config may relax yes -> accept-new and replace the default file; never further.
  let strict = target.strictHostKeyChecking;
  if (cfg.strictHostKeyChecking === 'accept-new') strict = 'accept-new';
  if (cfg.strictHostKeyChecking === 'no') {
    strict = 'accept-new';
    notes.push(
      `${label(host, port)}: ssh_config StrictHostKeyChecking no treated as accept-new (labspec never disables host key checking)`,
    );
  }
  const knownHostsFiles = (
    cfg.userKnownHostsFiles && isDefaultKnownHosts(target.knownHostsFile)
      ? cfg.userKnownHostsFiles
      : [target.knownHostsFile]
  ).map((f) => expandPath(f, tokens));

  const connectTimeoutMs = Math.min(target.connectTimeoutMs, (cfg.connectTimeoutSeconds ?? Infinity) * 1000);
  let agent: string | undefined = process.env.SSH_AUTH_SOCK || undefined;
  if (cfg.identityAgent !== undefined) {
    const a = cfg.identityAgent;
    if (a.toLowerCase() === 'none') agent = undefined;
    else if (a !== 'SSH_AUTH_SOCK' && a !== '$SSH_AUTH_SOCK') agent = expandPath(a, tokens);
  }
  return {
    label: label(host, port),
    host,
    port,
    user,
    identityFiles,
    ...(input.privateKeyEnv !== undefined ? { privateKeyEnv: input.privateKeyEnv } : {}),
    ...(input.hostKey !== undefined ? { hostKey: input.hostKey } : {}),
    identityExplicit: explicit,
    knownHostsFiles,
    hostKeyAlias: cfg.hostKeyAlias,
    strict,
    connectTimeoutMs,
    agent: agent || undefined,
  };
}

export interface ResolvedTarget {
  /** Jump hosts first, the target last. */
  hops: Hop[];
  notes: string[];
}

/** Resolves the target and its jump hosts. Throws TransportError('config') on bad settings. */
export function resolveTarget(target: SshTarget): ResolvedTarget {
  const config = loadSshConfig(target.sshConfigFile);
  const notes: string[] = [];
  const targetCfg = resolveSshConfig(config, target.address);
  for (const n of targetCfg.notes) if (!notes.includes(n)) notes.push(n);
  const targetHop = resolveHop(
    {
      name: target.address,
      port: target.port,
      user: target.user,
      identityFile: target.identityFile,
      privateKeyEnv: target.privateKeyEnv,
      hostKey: target.hostKey,
    },
    targetCfg,
    target,
    (h, p) => `${target.name} (${h}:${p})`,
    notes,
  );
  const jumpValue = target.proxyJump ?? targetCfg.proxyJump;
  // A jump host's own ProxyJump in ssh_config is not followed: the chain is taken as given.
  const jumps = jumpValue ? parseProxyJump(jumpValue) : [];
  const jumpHops = jumps.map((j) =>
    resolveHop(
      { name: j.host, port: j.port, user: j.user },
      resolveSshConfig(config, j.host),
      target,
      (h, p) => `${target.name} via jump host ${j.host} (${h}:${p})`,
      notes,
    ),
  );
  return { hops: [...jumpHops, targetHop], notes };
}

export function describeTarget(hops: Hop[]): string {
  const fmt = (h: Hop) => `${h.user}@${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`;
  const target = hops[hops.length - 1]!;
  const jumps = hops.slice(0, -1);
  return `ssh ${fmt(target)}${jumps.length ? ` (via ${jumps.map(fmt).join(', ')})` : ''}`;
}
