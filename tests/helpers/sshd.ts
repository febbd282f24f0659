/**
 * A real OpenSSH server for tests: `/usr/sbin/sshd -D -e` on 127.0.0.1, a free port, its own
 * host keys and an authorized client key, all under a temp directory removed by stop().
 * Needs root (sshd's privilege separation); creates /run/sshd if missing, as the Debian service does.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestSshd {
  port: number;
  dir: string;
  /** `type base64` of the server's host keys. */
  hostKeys: { ed25519: string; rsa: string };
  /** An unencrypted ed25519 client key that is in authorized_keys. */
  clientKey: string;
  /** An ed25519 key protected by `passphrase`, also authorized. */
  encryptedKey: string;
  passphrase: string;
  /** A key that is NOT authorized. */
  wrongKey: string;
  /** What sshd wrote to stderr (for debugging failed tests). */
  log(): string;
  stop(): Promise<void>;
}

function keygen(path: string, type: 'ed25519' | 'rsa', passphrase = ''): string {
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-C', 'labspec-test', '-f', path], {
    stdio: 'ignore',
  });
  return readFileSync(`${path}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Commands left running by sessions of our sshd (e.g. a `sleep 30` whose connection was cut at
 * the deadline) are found by their SSH_CONNECTION, which names our port, and killed by PID.
 */
function killSessions(port: number): void {
  const suffix = ` 127.0.0.1 ${port}`;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (env.some((v) => v.startsWith('SSH_CONNECTION=') && v.endsWith(suffix))) process.kill(Number(pid), 'SIGKILL');
    } catch {
      /* gone, or not ours to read */
    }
  }
}

/** Does something on 127.0.0.1:`port` greet with an SSH banner within `timeoutMs`? */
export function bannerSeen(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    const end = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => end(false));
    s.once('data', (d: Buffer) => end(d.toString('latin1').startsWith('SSH-')));
    s.once('error', () => end(false));
    s.connect(port, '127.0.0.1');
  });
}

/** `extraConfig`: more sshd_config lines, e.g. a ForceCommand that wraps every session. */
export async function startSshd(extraConfig: string[] = []): Promise<TestSshd> {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), 'labspec-sshd-'));
  const hostKeys = { ed25519: keygen(join(dir, 'host_ed25519'), 'ed25519'), rsa: keygen(join(dir, 'host_rsa'), 'rsa') };
  const clientKey = join(dir, 'client_ed25519');
  const encryptedKey = join(dir, 'client_encrypted');
  const wrongKey = join(dir, 'wrong_ed25519');
  const passphrase = 'correct horse';
  const authorized = [keygen(clientKey, 'ed25519'), keygen(encryptedKey, 'ed25519', passphrase)];
  keygen(wrongKey, 'ed25519');
  writeFileSync(join(dir, 'authorized_keys'), authorized.join('\n') + '\n', { mode: 0o600 });

  const port = await freePort();
  const config = [
    `ListenAddress 127.0.0.1:${port}`,
    `HostKey ${join(dir, 'host_ed25519')}`,
    `HostKey ${join(dir, 'host_rsa')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'UsePAM no',
    'StrictModes no',
    'PermitRootLogin yes',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'AllowTcpForwarding yes',
    'LogLevel INFO',
    ...extraConfig,
    '',
  ].join('\n');
  const configFile = join(dir, 'sshd_config');
  writeFileSync(configFile, config);

  let stderr = '';
  // Sessions run root's login shell, which sources ~/.bashrc: the machine's own (pyenv, nvm …) must neither slow
  // nor hang the tests, so it is hidden from this sshd in a private mount namespace (never changed on disk).
  const rc = join(homedir(), '.bashrc');
  const sshd = ['/usr/sbin/sshd', '-D', '-e', '-f', configFile];
  const [program, ...args] = existsSync(rc)
    ? ['unshare', '-m', '/bin/sh', '-c', 'mount --bind /dev/null "$0" && exec "$@"', rc, ...sshd]
    : sshd;
  const child: ChildProcess = spawn(program!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  // A missing sshd binary must fail the test at once, not leave it waiting for a banner.
  child.once('error', (error) => ((exited = true), (stderr += error.message)));

  const stop = async () => {
    killSessions(port);
    if (!exited && child.pid !== undefined) {
      process.kill(child.pid, 'SIGTERM');
      await Promise.race([exitedPromise, new Promise((r) => setTimeout(r, 3000))]);
      if (!exited) process.kill(child.pid, 'SIGKILL');
    }
    child.stderr!.destroy();
    rmSync(dir, { recursive: true, force: true });
  };

  for (let i = 0; i < 50 && !exited; i++) {
    if (await bannerSeen(port)) {
      return { port, dir, hostKeys, clientKey, encryptedKey, passphrase, wrongKey, log: () => stderr, stop };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`sshd did not start on 127.0.0.1:${port}: ${stderr.trim()}`);
}

export interface TestAgent {
  socket: string;
  stop(): Promise<void>;
}

/** A real `ssh-agent -D` on a private socket, holding the given keys. */
export async function startAgent(keys: string[]): Promise<TestAgent> {
  const dir = mkdtempSync(join(tmpdir(), 'labspec-agent-'));
  const socket = join(dir, 'agent.sock');
  const child = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const stop = async () => {
    if (!exited && child.pid !== undefined) {
      process.kill(child.pid, 'SIGTERM');
      await Promise.race([exitedPromise, new Promise((r) => setTimeout(r, 3000))]);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 50 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
  try {
    for (const key of keys)
      execFileSync('ssh-add', ['-q', key], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
  } catch (err) {
    await stop();
    throw err;
  }
  return { socket, stop };
}
