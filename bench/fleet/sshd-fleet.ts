/**
 * N real OpenSSH servers on 127.0.0.1 for the fleet benchmark: one `sshd -D` per host, each with its
 * own sshd_config, port and log file, all with the same host key (as issue 10's measurement: every
 * host is this machine) and one authorized ECDSA client key. Started in parallel batches; every
 * process started is killed by PID on stop(), on a signal or on exit, with the sessions it spawned.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bannerSeen } from '../../tests/helpers/sshd.ts';

const SSHD = '/usr/sbin/sshd';
/** Every temp folder of this benchmark starts with this, so a later run can find what a killed one left. */
export const TMP_PREFIX = 'labspec-bench-';

export interface Fleet {
  dir: string;
  ports: number[];
  /** The ECDSA client key (unencrypted), authorized on every server. */
  clientKey: string;
  /** `[127.0.0.1]:port ssh-ed25519 …` for every server. */
  knownHosts: string;
  /** `ssh-ed25519 AAAA…` */
  hostKey: string;
  logs: string[];
  /** sshd's LogLevel on these servers. */
  logLevel: string;
  /** Whose ~/.bashrc was hidden from the servers' sessions (see startFleet), or null. */
  hiddenRcFiles: string[];
  /** Byte offsets of every log, to count what a measurement added. */
  mark(): number[];
  /** Per host (first `hosts` servers): connections accepted and sessions (exec) started since `mark`. */
  countSince(mark: number[], hosts: number): { connections: number[]; execs: number[] };
  stop(): void;
}

export interface FleetOptions {
  /** How many sshd are started at once before waiting for their banners. */
  batch?: number;
  logLevel?: 'INFO' | 'VERBOSE' | 'DEBUG1';
  /**
   * The sessions run the login shell of the user (root): bash sources ~/.bashrc when started by sshd,
   * and a runner's ~/.bashrc (pyenv, nvm …) can cost a second per session — the same for every
   * client, drowning what is measured. Hidden by default with a bind mount of /dev/null in a private
   * mount namespace of the sshd (nothing else on the machine sees it); false keeps it.
   */
  hideRc?: boolean;
  /** Lines added to every sshd_config. */
  extraConfig?: string[];
}

/** Processes this module started and has not yet seen stopped: what the signal and exit handlers kill. */
const live = new Set<Fleet>();
let handlersInstalled = false;

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', stopAll);
}

/** Stops every fleet still running (synchronous: usable from 'exit' and signal handlers). */
export function stopAll(): void {
  for (const fleet of [...live]) fleet.stop();
}

function keygen(path: string, args: string[]): string {
  execFileSync('ssh-keygen', ['-q', '-N', '', '-C', 'labspec-bench', '-f', path, ...args], { stdio: 'ignore' });
  return readFileSync(`${path}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
}

/** N distinct free ports: all held open at once, so none is handed out twice, then released for sshd. */
async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      servers.push(
        await new Promise<Server>((resolve, reject) => {
          const srv = createServer();
          srv.once('error', reject);
          srv.listen(0, '127.0.0.1', () => resolve(srv));
        }),
      );
    }
    return servers.map((s) => {
      const addr = s.address();
      if (typeof addr !== 'object' || !addr) throw new Error('no port');
      return addr.port;
    });
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

/** Direct children of a process (Linux ≥ 3.5 /proc/PID/task/TID/children, every thread). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    } catch {
      /* gone */
    }
  }
  return out;
}

export function descendantsOf(pid: number): number[] {
  const out: number[] = [];
  const stack = childrenOf(pid);
  while (stack.length > 0) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...childrenOf(p));
  }
  return out;
}

/** Alive and not a zombie. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Session processes whose SSH_CONNECTION names one of our ports (in case their sshd died first). */
function sessionsOn(ports: ReadonlySet<number>): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'latin1');
      const m = /(?:^|\0)SSH_CONNECTION=\S+ \d+ 127\.0\.0\.1 (\d+)(?:\0|$)/.exec(env);
      if (m && ports.has(Number(m[1]))) found.push(Number(entry));
    } catch {
      /* gone, or not readable */
    }
  }
  return found;
}

/** Kills PIDs: SIGTERM, up to `graceMs` to go, then SIGKILL. Synchronous. */
function killAll(pids: number[], graceMs: number): void {
  for (const pid of pids) kill(pid, 'SIGTERM');
  const until = Date.now() + graceMs;
  while (pids.some(isRunning) && Date.now() < until) sleepSync(20);
  for (const pid of pids.filter(isRunning)) kill(pid, 'SIGKILL');
}

/**
 * A benchmark killed with SIGKILL cannot clean up: its sshd stay. The next run finds their folders
 * (tmpdir()/labspec-bench-*) and kills each recorded PID whose command line still names that folder.
 */
export function sweepLeftovers(): string[] {
  const swept: string[] = [];
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(TMP_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    const pidsFile = join(dir, 'pids');
    // A benchmark still running (another terminal) owns its folder: leave it alone.
    const owner = Number(existsSync(join(dir, 'owner')) ? readFileSync(join(dir, 'owner'), 'utf8') : NaN);
    if (Number.isInteger(owner) && owner !== process.pid && isRunning(owner)) continue;
    if (!existsSync(pidsFile)) {
      if (existsSync(join(dir, 'owner'))) rmSync(dir, { recursive: true, force: true });
      continue;
    }
    const pids = readFileSync(pidsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(dir);
        } catch {
          return false;
        }
      });
    if (pids.length > 0) {
      killAll([...pids.flatMap(descendantsOf), ...pids], 2000);
      swept.push(`${dir}: ${pids.length} sshd`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return swept;
}

export async function startFleet(n: number, options: FleetOptions = {}): Promise<Fleet> {
  const batch = options.batch ?? 32;
  const logLevel = options.logLevel ?? 'VERBOSE';
  installHandlers();
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), TMP_PREFIX));
  writeFileSync(join(dir, 'owner'), String(process.pid));
  const hostKeyFile = join(dir, 'host_ed25519');
  const hostKey = keygen(hostKeyFile, ['-t', 'ed25519']);
  const clientKey = join(dir, 'client_ecdsa');
  writeFileSync(join(dir, 'authorized_keys'), `${keygen(clientKey, ['-t', 'ecdsa', '-b', '256'])}\n`, { mode: 0o600 });
  const ports = await freePorts(n);
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, ports.map((p) => `[127.0.0.1]:${p} ${hostKey}\n`).join(''));

  const rcFiles = options.hideRc === false ? [] : ['.bashrc'].map((f) => join(homedir(), f)).filter(existsSync);
  const pids: number[] = [];
  const logs = ports.map((_, i) => join(dir, `sshd.${i + 1}.log`));
  const pidsFile = join(dir, 'pids');
  writeFileSync(pidsFile, '');

  let stopped = false;
  const fleet: Fleet = {
    dir,
    ports,
    clientKey,
    knownHosts,
    hostKey,
    logs,
    logLevel,
    hiddenRcFiles: rcFiles,
    mark: () => logs.map((l) => (existsSync(l) ? statSync(l).size : 0)),
    countSince(mark, hosts) {
      const connections: number[] = [];
      const execs: number[] = [];
      for (let i = 0; i < hosts; i++) {
        const text = readFrom(logs[i]!, mark[i] ?? 0);
        connections.push(text.match(/^Accepted publickey for /gm)?.length ?? 0);
        execs.push(text.match(/^Starting session: command for /gm)?.length ?? 0);
      }
      return { connections, execs };
    },
    stop() {
      if (stopped) return;
      stopped = true;
      live.delete(fleet);
      // Sessions and per-connection sshd first, then the listeners; then anything still naming our ports.
      const children = pids.flatMap(descendantsOf);
      killAll(children, 500);
      killAll(pids, 3000);
      killAll(sessionsOn(new Set(ports)), 500);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  live.add(fleet);

  try {
    for (let start = 0; start < n; start += batch) {
      const slice = ports.slice(start, start + batch);
      const started = slice.map((port, j) => {
        const i = start + j;
        const configFile = join(dir, `sshd_config.${i + 1}`);
        writeFileSync(
          configFile,
          [
            `ListenAddress 127.0.0.1:${port}`,
            `HostKey ${hostKeyFile}`,
            `PidFile ${join(dir, `sshd.${i + 1}.pid`)}`,
            `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
            'UsePAM no',
            'StrictModes no',
            'PermitRootLogin yes',
            'PubkeyAuthentication yes',
            'PasswordAuthentication no',
            'KbdInteractiveAuthentication no',
            'UseDNS no',
            `LogLevel ${logLevel}`,
            ...(options.extraConfig ?? []),
            '',
          ].join('\n'),
        );
        const sshd = [SSHD, '-D', '-f', configFile, '-E', logs[i]!];
        // unshare without --fork execs: the PID is sshd's own.
        const child =
          rcFiles.length > 0
            ? spawn(
                'unshare',
                [
                  '--mount',
                  '--propagation',
                  'private',
                  '/bin/sh',
                  '-c',
                  `${rcFiles.map((f) => `mount --bind /dev/null '${f}' && `).join('')}exec "$@"`,
                  'sh',
                  ...sshd,
                ],
                { stdio: 'ignore' },
              )
            : spawn(sshd[0]!, sshd.slice(1), { stdio: 'ignore' });
        let exited = false;
        child.once('exit', () => (exited = true));
        child.once('error', () => (exited = true));
        if (child.pid !== undefined) {
          pids.push(child.pid);
          writeFileSync(pidsFile, `${child.pid}\n`, { flag: 'a' });
        }
        return { port, i, isExited: () => exited };
      });
      await Promise.all(
        started.map(async ({ port, i, isExited }) => {
          for (let attempt = 0; attempt < 100; attempt++) {
            if (isExited()) break;
            if (await bannerSeen(port, 1000)) return;
            await new Promise((r) => setTimeout(r, 50));
          }
          const log = existsSync(logs[i]!) ? readFileSync(logs[i]!, 'utf8').trim() : '';
          throw new Error(`sshd ${i + 1} did not start on 127.0.0.1:${port}: ${log || '(no log)'}`);
        }),
      );
    }
  } catch (error) {
    fleet.stop();
    throw error;
  }
  return fleet;
}

function readFrom(path: string, offset: number): string {
  if (!existsSync(path)) return '';
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size <= offset) return '';
    const buf = Buffer.alloc(size - offset);
    readSync(fd, buf, 0, buf.length, offset);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}
