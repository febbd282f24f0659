/**
 * SSH transport: one connection per run (plus one per jump host), OpenSSH-like known_hosts
 * enforcement, ssh_config, agent/key/password auth. See ssh-target.ts for how settings resolve.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { AnyAuthMethod, AuthenticationType, ClientChannel, ParsedKey, ServerHostKeyAlgorithm } from 'ssh2';
import {
  appendKnownHost,
  checkHostKey,
  fingerprint,
  fingerprintOfBase64,
  keyTypeOf,
  knownHostsName,
  knownKeyTypes,
  preferredHostKeyAlgorithms,
  KnownHostsFiles,
} from './known-hosts.ts';
import { describeTarget, resolveTarget, type Hop, type SshTarget } from './ssh-target.ts';
import { TransportError, type RunOptions, type RunResult, type Transport } from './transport.ts';

export type { SshTarget } from './ssh-target.ts';

const { Client, utils } = ssh2;
type SshClient = InstanceType<typeof Client>;

interface KeyMaterial {
  /** The key file, or `$NAME` for a key held in an environment variable. */
  path: string;
  /** Parsed (and decrypted) once here: bcrypt-protected keys are slow to decrypt in JS. */
  key: ParsedKey;
}

interface Credentials {
  password?: string;
  passphrase?: string;
  /** The private key's text, from the variable privateKeyEnv names; never written anywhere. */
  privateKey?: string;
}

/** Notes are per transport, but a transport may run many times: keep each note once. */
const addNote = (notes: string[], note: string) => {
  if (!notes.includes(note)) notes.push(note);
};

const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;

function readCredentials(target: SshTarget, label: string): Credentials {
  const creds: Credentials = {};
  for (const [field, envName, what] of [
    ['password', target.passwordEnv, 'password'],
    ['passphrase', target.passphraseEnv, 'passphrase'],
    ['privateKey', target.privateKeyEnv, 'private key'],
  ] as const) {
    if (envName === undefined) continue;
    const value = process.env[envName];
    if (value === undefined || (field === 'privateKey' && value.trim() === '')) {
      throw new TransportError(
        'config',
        `${label}: ${what} variable ${envName} is ${value === undefined ? 'not set' : 'empty'}; export it before running labspec`,
      );
    }
    creds[field] = value;
  }
  return creds;
}

/**
 * Loads the hop's keys: the one in privateKeyEnv's variable, or the key files. Inventory-given keys must work;
 * default/ssh_config keys are skipped when unusable. A message names the variable, never what it holds.
 */
function loadKeys(hop: Hop, creds: Credentials, notes: string[]): KeyMaterial[] {
  const { passphrase } = creds;
  if (hop.privateKeyEnv !== undefined) {
    const path = `$${hop.privateKeyEnv}`;
    const result = utils.parseKey(Buffer.from(creds.privateKey ?? '', 'utf8'), passphrase) as
      ParsedKey | ParsedKey[] | Error;
    const parsed = Array.isArray(result) ? result[0]! : result;
    if (!(parsed instanceof Error)) return [{ path, key: parsed }];
    const why =
      /encrypted/i.test(parsed.message) && passphrase === undefined
        ? 'is encrypted; set passphraseEnv to the name of a variable holding its passphrase'
        : passphrase !== undefined && /encrypted|passphrase|decrypt|bad/i.test(parsed.message)
          ? 'could not be decrypted with the given passphrase; check the passphrase variable'
          : 'is not a usable private key; put the whole private key file, BEGIN and END lines included, in the variable';
    throw new TransportError('config', `${hop.label}: the private key in ${hop.privateKeyEnv} ${why}`);
  }
  const keys: KeyMaterial[] = [];
  for (const path of hop.identityFiles) {
    const skip = (why: string, fix: string) => {
      if (hop.identityExplicit)
        throw new TransportError('config', `${hop.label}: identity file ${path} ${why}; ${fix}`);
      addNote(notes, `${hop.label}: skipped identity file ${path}: ${why}`);
    };
    if (!existsSync(path)) {
      if (hop.identityExplicit) skip('does not exist', 'check identityFile in the inventory');
      continue;
    }
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (err) {
      skip(`cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, 'check its permissions');
      continue;
    }
    const result = utils.parseKey(data, passphrase) as ParsedKey | ParsedKey[] | Error;
    const parsed = Array.isArray(result) ? result[0]! : result;
    if (parsed instanceof Error) {
      if (/encrypted/i.test(parsed.message) && passphrase === undefined) {
        skip(
          'is encrypted',
          'set passphraseEnv to the name of a variable holding its passphrase, or load it into ssh-agent',
        );
      } else if (/encrypted|passphrase|decrypt|bad/i.test(parsed.message) && passphrase !== undefined) {
        skip('could not be decrypted with the given passphrase', 'check the passphrase variable');
      } else {
        skip(`is not a usable private key (${parsed.message})`, 'point identityFile at a private key');
      }
      continue;
    }
    keys.push({ path, key: parsed });
  }
  return keys;
}

class HostKeyRejected {
  readonly error: TransportError;
  constructor(error: TransportError) {
    this.error = error;
  }
}

/**
 * The hostVerifier for a hop whose key was given (hostKey): that key and no other; known_hosts is neither read nor
 * written, and strictHostKeyChecking has nothing to accept.
 */
function makePinnedHostVerifier(hop: Hop, hostKey: string) {
  const rejected: { value?: HostKeyRejected } = {};
  const accepted: { value?: string } = {};
  const [givenType, givenBase64] = hostKey.trim().split(/\s+/) as [string, string];
  const given = `${givenType} ${fingerprintOfBase64(givenBase64)}`;
  const verify = (blob: Buffer): boolean => {
    if (keyTypeOf(blob) === givenType && blob.toString('base64') === givenBase64) {
      accepted.value = given;
      return true;
    }
    const offered = `${keyTypeOf(blob)} ${fingerprint(blob)}`;
    const why =
      keyTypeOf(blob) === givenType
        ? `HOST KEY MISMATCH: the host offered ${offered}, not the key it was given (${given}) — possible man-in-the-middle, or the key of another build`
        : `the host offered ${offered} but was given a ${givenType} key (${given}), which it did not offer — pass the key of a type the host has`;
    rejected.value = new HostKeyRejected(new TransportError('hostkey-changed', `${hop.label}: ${why}`));
    return false;
  };
  return { verify, rejected, accepted, algorithms: preferredHostKeyAlgorithms([givenType]) };
}

/** Builds the hostVerifier for a hop; returns an error holder filled when it rejects. */
function makeHostVerifier(hop: Hop, notes: string[], knownHosts: KnownHostsFiles) {
  const rejected: { value?: HostKeyRejected } = {};
  const accepted: { value?: string } = {};
  const names = [hop.hostKeyAlias ?? knownHostsName(hop.host.toLowerCase(), hop.port)];
  const entries = knownHosts.entriesFor(hop.knownHostsFiles, names);
  const file = hop.knownHostsFiles[0]!;
  const verify = (blob: Buffer): boolean => {
    const type = keyTypeOf(blob);
    const b64 = blob.toString('base64');
    const fp = `${type} ${fingerprint(blob)}`;
    const result = checkHostKey(entries, names, type, b64);
    const fail = (failure: 'hostkey-unknown' | 'hostkey-changed', msg: string) => {
      rejected.value = new HostKeyRejected(new TransportError(failure, `${hop.label}: ${msg}`));
      return false;
    };
    const removeHint = `ssh-keygen -R '${names[0]}' -f ${file}`;
    switch (result.status) {
      case 'ok':
        accepted.value = fp;
        return true;
      case 'revoked':
        return fail('hostkey-changed', `host key ${fp} is marked @revoked in ${file}; the host must get a new key`);
      case 'changed':
        return fail(
          'hostkey-changed',
          `HOST KEY CHANGED (${fp}; known_hosts has ${result.known.map((e) => fingerprintOfBase64(e.keyBase64)).join(', ')}) — possible man-in-the-middle; if expected, remove the old key with ${removeHint}`,
        );
      case 'other-type':
        return fail(
          'hostkey-changed',
          `HOST KEY CHANGED: server offered ${fp} but ${file} only has ${result.knownTypes.join(', ')} keys for it — possible man-in-the-middle; if expected, remove the old keys with ${removeHint}`,
        );
      case 'unknown':
        if (hop.strict === 'accept-new') {
          try {
            appendKnownHost(file, names[0]!, type, b64);
          } catch (err) {
            return fail('hostkey-unknown', `cannot record host key in ${file}: ${(err as Error).message}`);
          }
          notes.push(`${hop.label}: host key ${fp} recorded in ${file} (accept-new)`);
          accepted.value = fp;
          return true;
        }
        return fail(
          'hostkey-unknown',
          `host key not in ${file} (${fp}); add it with ssh-keyscan${hop.port === 22 ? '' : ` -p ${hop.port}`} ${hop.host} >> ${file} or set strictHostKeyChecking: accept-new`,
        );
    }
  };
  return { verify, rejected, accepted, algorithms: preferredHostKeyAlgorithms(knownKeyTypes(entries, names)) };
}

function socketErrorMessage(err: NodeJS.ErrnoException, host: string): [TransportError['failure'], string] {
  switch (err.code) {
    case 'ECONNREFUSED':
      return ['unreachable', 'connection refused; is sshd running and is the port right?'];
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return ['unreachable', `cannot resolve host name ${host}; check address/HostName`];
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return ['unreachable', 'no route to host'];
    case 'ETIMEDOUT':
      return ['timeout', 'TCP connection timed out'];
    case 'ECONNRESET':
    case 'EPIPE':
      return ['protocol', 'connection reset by the server before the command started'];
    default:
      return ['unreachable', `connection failed (${err.code ?? err.message})`];
  }
}

interface Session {
  clients: SshClient[];
  sockets: Duplex[];
  notes: string[];
  deadline: number;
  /** The host key of the last hop that connected: once every hop is up, the target's. */
  hostKey?: string;
}

function destroyAll(session: Session): void {
  for (const c of [...session.clients].reverse()) c.destroy();
  for (const s of session.sockets) s.destroy();
}

/** Connects and authenticates one hop, over `sock` when given (a jump host's forwarded channel). */
function connectHop(
  hop: Hop,
  sock: Duplex | undefined,
  creds: Credentials,
  password: string | undefined,
  session: Session,
  knownHosts: KnownHostsFiles,
): Promise<SshClient> {
  const keys = loadKeys(hop, creds, session.notes);
  const agent = hop.agent && existsSync(hop.agent) ? hop.agent : undefined;
  if (!agent && keys.length === 0 && password === undefined) {
    throw new TransportError(
      'config',
      `${hop.label}: no way to authenticate (no ssh-agent, no usable key among ${hop.identityFiles.join(', ')}, no passwordEnv); set identityFile or passwordEnv`,
    );
  }
  const host =
    hop.hostKey !== undefined
      ? makePinnedHostVerifier(hop, hop.hostKey)
      : makeHostVerifier(hop, session.notes, knownHosts);

  return new Promise((resolve, reject) => {
    const client = new Client();
    session.clients.push(client);
    let settled = false;
    let connected = sock !== undefined;
    let sawBanner = false;
    const tried: string[] = [];
    let timer: NodeJS.Timeout | undefined;
    const done = (err?: TransportError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(client);
    };

    let socket: Duplex;
    if (sock) {
      socket = sock;
    } else {
      const tcp = new Socket();
      // The handshake is many small round trips: waiting to batch them (Nagle) cost ~150 ms per host.
      tcp.setNoDelay(true);
      tcp.once('connect', () => (connected = true));
      tcp.connect(hop.port, hop.host);
      socket = tcp;
      session.sockets.push(tcp);
    }
    socket.once('data', () => (sawBanner = true));

    const timeoutMs = Math.max(0, Math.min(hop.connectTimeoutMs, session.deadline - Date.now()));
    timer = setTimeout(() => {
      const what = !connected ? 'no TCP connection' : !sawBanner ? 'no SSH banner' : 'SSH handshake not finished';
      done(new TransportError('timeout', `${hop.label}: ${what} within ${seconds(timeoutMs)}`));
      destroyAll(session);
    }, timeoutMs);

    // Agent first, then key files, then the password: OpenSSH's order (publickey, keyboard-interactive, password).
    const attempts: { method: AuthenticationType; label: string; auth: AnyAuthMethod }[] = [];
    const username = hop.user;
    if (agent) attempts.push({ method: 'publickey', label: 'agent', auth: { type: 'agent', username, agent } });
    for (const k of keys) {
      attempts.push({ method: 'publickey', label: k.path, auth: { type: 'publickey', username, key: k.key } });
    }
    if (password !== undefined) {
      attempts.push({
        method: 'keyboard-interactive',
        label: 'keyboard-interactive',
        auth: {
          type: 'keyboard-interactive',
          username,
          prompt: (_n, _i, _l, prompts, finish) => finish(prompts.map(() => password)),
        },
      });
      attempts.push({ method: 'password', label: 'password', auth: { type: 'password', username, password } });
    }

    client.on('handshake', () => clearTimeout(timer));
    client.on('ready', () => {
      session.hostKey = host.accepted.value;
      done();
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (host.rejected.value) return done(host.rejected.value.error);
      switch (err.level) {
        case 'agent':
          return; // agent trouble: ssh2 moves on to the next method
        case 'client-authentication':
          if (!/All configured authentication methods failed/.test(err.message)) return;
          return done(
            new TransportError(
              'auth',
              `${hop.label}: authentication failed for user ${hop.user} (tried: ${tried.join(', ') || 'nothing'}); check the user and that the key is in ~${hop.user}/.ssh/authorized_keys`,
            ),
          );
        case 'client-socket':
        case 'client-dns': {
          const [failure, msg] = socketErrorMessage(err, hop.host);
          return done(new TransportError(failure, `${hop.label}: ${msg}`));
        }
        default:
          return done(
            new TransportError('protocol', `${hop.label}: SSH handshake failed: ${err.message.split('\n')[0]}`),
          );
      }
    });
    client.on('close', () => {
      if (host.rejected.value) return done(host.rejected.value.error);
      done(new TransportError('protocol', `${hop.label}: connection closed during the SSH handshake`));
    });

    try {
      client.connect({
        sock: socket,
        username,
        readyTimeout: 0, // our own timer distinguishes TCP, banner and handshake timeouts
        hostVerifier: (key: Buffer) => host.verify(key),
        algorithms: { serverHostKey: host.algorithms as ServerHostKeyAlgorithm[] },
        authHandler: (methodsLeft, _partial, next) => {
          let a = attempts.shift();
          while (a && methodsLeft && !methodsLeft.includes(a.method)) a = attempts.shift();
          if (!a) return next(false as unknown as AuthenticationType);
          tried.push(a.label);
          next(a.auth);
        },
      });
    } catch (err) {
      // e.g. a key or algorithm ssh2 rejects up front
      done(new TransportError('config', `${hop.label}: ${(err as Error).message}`));
      destroyAll(session);
    }
  });
}

function forward(client: SshClient, hop: Hop, via: Hop): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, hop.host, hop.port, (err, stream) => {
      if (err) {
        reject(
          new TransportError(
            'unreachable',
            `${hop.label}: jump host ${via.host}:${via.port} could not open a connection (${err.message}); check the address and AllowTcpForwarding on the jump host`,
          ),
        );
      } else resolve(stream);
    });
  });
}

/** `knownHosts`: the run's known_hosts files, shared by its hosts so each file is parsed once. */
export function sshTransport(target: SshTarget, knownHosts: KnownHostsFiles = new KnownHostsFiles()): Transport {
  const notes: string[] = [];
  let description = `ssh ${target.user ? `${target.user}@` : ''}${target.address}:${target.port ?? 22}`;
  let resolved: ReturnType<typeof resolveTarget> | TransportError;
  try {
    resolved = resolveTarget(target);
    notes.push(...resolved.notes);
    description = describeTarget(resolved.hops);
  } catch (err) {
    resolved =
      err instanceof TransportError ? err : new TransportError('config', `${target.name}: ${(err as Error).message}`);
  }

  async function run(command: string, stdin: string, options: RunOptions): Promise<RunResult> {
    if (resolved instanceof TransportError) throw resolved;
    const hops = resolved.hops;
    const last = hops[hops.length - 1]!;
    const creds = readCredentials(target, last.label);
    const session: Session = { clients: [], sockets: [], notes, deadline: options.deadline };

    let deadlineFired = false;
    let onDeadline: () => void = () => {};
    const deadlineTimer = setTimeout(
      () => {
        deadlineFired = true;
        onDeadline();
      },
      Math.max(0, options.deadline - Date.now()),
    );

    try {
      const connectAll = (async () => {
        let client: SshClient | undefined;
        let prev: Hop | undefined;
        for (const hop of hops) {
          const sock = client && prev ? await forward(client, hop, prev) : undefined;
          if (deadlineFired) throw new Error('deadline');
          client = await connectHop(hop, sock, creds, hop === last ? creds.password : undefined, session, knownHosts);
          prev = hop;
        }
        return client!;
      })();
      const deadlineBeforeExec = new Promise<never>((_, reject) => {
        onDeadline = () => reject(new TransportError('timeout', `${last.label}: deadline reached while connecting`));
      });
      connectAll.catch(() => {}); // rejections are handled through the race below
      const client = await Promise.race([connectAll, deadlineBeforeExec]);
      const channel = await Promise.race([
        new Promise<ClientChannel>((resolve, reject) =>
          client.exec(command, (err, stream) =>
            err
              ? reject(new TransportError('protocol', `${last.label}: could not start the command: ${err.message}`))
              : resolve(stream),
          ),
        ),
        deadlineBeforeExec,
      ]);
      return await collect(channel, stdin, session, options, (fn) => {
        onDeadline = fn;
        if (deadlineFired) fn();
      });
    } catch (err) {
      destroyAll(session);
      if (err instanceof TransportError) throw err;
      if (deadlineFired) throw new TransportError('timeout', `${last.label}: deadline reached while connecting`);
      throw new TransportError('protocol', `${last.label}: ${(err as Error).message.split('\n')[0]}`);
    } finally {
      clearTimeout(deadlineTimer);
    }
  }

  return {
    get description() {
      return description;
    },
    notes,
    run,
  };
}

function collect(
  channel: ClientChannel,
  stdin: string,
  session: Session,
  { onStdout, maxOutputBytes }: Pick<RunOptions, 'onStdout' | 'maxOutputBytes'>,
  setOnDeadline: (fn: () => void) => void,
): Promise<RunResult> {
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let received = 0;
    let exitCode: number | null = null;
    let finished = false;
    const finish = (end: 'closed' | 'deadline' | 'overflow') => {
      if (finished) return;
      finished = true;
      if (end === 'closed') for (const c of [...session.clients].reverse()) c.end();
      else destroyAll(session);
      resolve({
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr),
        exitCode: end === 'closed' ? exitCode : null,
        timedOut: end === 'deadline',
        overflowed: end === 'overflow',
        hostKey: session.hostKey ?? null,
      });
    };
    // Past the per-host limit nothing more is kept: memory stays bounded whatever the host sends.
    const keep = (into: Buffer[], chunk: Buffer) => {
      if (finished) return false;
      received += chunk.length;
      if (received > maxOutputBytes) {
        finish('overflow');
        return false;
      }
      into.push(chunk);
      return true;
    };
    channel.on('data', (d: Buffer) => {
      if (keep(stdout, d)) onStdout?.(d);
    });
    channel.stderr.on('data', (d: Buffer) => keep(stderr, d));
    channel.on('exit', (code: number | null) => {
      exitCode = typeof code === 'number' ? code : null;
    });
    channel.on('error', () => {});
    channel.on('close', () => finish('closed'));
    setOnDeadline(() => finish('deadline'));
    channel.end(stdin);
  });
}
