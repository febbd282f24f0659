/**
 * The SSH and local transports against a real sshd on 127.0.0.1 (see tests/helpers/sshd.ts).
 * Password authentication itself is not exercised: root's password cannot be set here and we
 * do not create users; the "password variable not set" path is tested instead.
 */
import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { localTransport } from '../../gather/local.ts';
import { sshTransport, type SshTarget } from '../../gather/ssh.ts';
import { TransportError } from '../../gather/transport.ts';
import { freePort, startAgent, startSshd, type TestSshd } from '../helpers/sshd.ts';

// Real handshakes (and bcrypt key decryption in JS) can be slow on a loaded machine.
vi.setConfig({ testTimeout: 20_000, hookTimeout: 30_000 });

let sshd: TestSshd;
let work: string;
let savedAgent: string | undefined;
let counter = 0;

beforeAll(async () => {
  savedAgent = process.env.SSH_AUTH_SOCK;
  delete process.env.SSH_AUTH_SOCK; // keys under test only, not whatever agent the developer runs
  sshd = await startSshd();
  work = mkdtempSync(join(tmpdir(), 'labspec-ssh-test-'));
}, 30_000);

afterAll(async () => {
  await sshd?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  if (savedAgent !== undefined) process.env.SSH_AUTH_SOCK = savedAgent;
});

const soon = (ms = 10_000) => ({ deadline: Date.now() + ms, maxOutputBytes: 32 * 1024 * 1024 });
const hostName = () => `[127.0.0.1]:${sshd.port}`;

/** A fresh known_hosts file with the given lines. */
function knownHosts(...lines: string[]): string {
  const file = join(work, `known_hosts_${++counter}`);
  writeFileSync(file, lines.map((l) => l + '\n').join(''));
  return file;
}

function target(over: Partial<SshTarget> = {}): SshTarget {
  return {
    name: 'testhost',
    address: '127.0.0.1',
    port: sshd.port,
    user: 'root',
    identityFile: sshd.clientKey,
    knownHostsFile: over.knownHostsFile ?? knownHosts(`${hostName()} ${sshd.hostKeys.ed25519}`),
    strictHostKeyChecking: 'yes',
    sshConfigFile: null,
    connectTimeoutMs: 5000,
    ...over,
  };
}

async function failure(p: Promise<unknown>): Promise<TransportError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).not.toMatch(/\n|\s+at\s/);
    return err as TransportError;
  }
  throw new Error('expected a TransportError');
}

describe('ssh transport: exec', () => {
  it('runs a stdin script and returns its exit code', async () => {
    const t = sshTransport(target());
    const r = await t.run('sh -s', 'echo hello; echo "$(( 6 * 7 ))"; exit 7', soon());
    expect(r.stdout.toString()).toBe('hello\n42\n');
    expect(r.exitCode).toBe(7);
    expect(r.timedOut).toBe(false);
    expect(t.notes).toEqual([]);
    expect(t.description).toBe(`ssh root@127.0.0.1:${sshd.port}`);
  });

  it('keeps stdout and stderr apart', async () => {
    const r = await sshTransport(target()).run('sh -s', 'echo out; echo err >&2; echo out2', soon());
    expect(r.stdout.toString()).toBe('out\nout2\n');
    expect(r.stderr.toString()).toBe('err\n');
    expect(r.exitCode).toBe(0);
  });

  it('returns binary / invalid UTF-8 output byte-exact', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const script = `printf '${[...bytes].map((b) => '\\' + b.toString(8).padStart(3, '0')).join('')}'`;
    const r = await sshTransport(target()).run('sh -s', script, soon());
    expect(r.stdout.equals(bytes)).toBe(true);
  });

  it('resolves at the deadline with partial output when the command hangs', async () => {
    const start = Date.now();
    const r = await sshTransport(target()).run('sh -s', 'echo partial; sleep 30', soon(4000));
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBeNull();
    expect(r.stdout.toString()).toBe('partial\n');
    expect(Date.now() - start).toBeLessThan(6000);
  });
});

describe('ssh transport: host keys', () => {
  it('accepts a known host in the [host]:port form', async () => {
    const r = await sshTransport(target()).run('true', '', soon());
    expect(r.exitCode).toBe(0);
  });

  it('reports the host key the server presented, as ssh-keygen -l prints its fingerprint', async () => {
    const r = await sshTransport(target()).run('true', '', soon());
    const listed = execFileSync('ssh-keygen', ['-l', '-f', join(sshd.dir, 'host_ed25519.pub')], { encoding: 'utf8' });
    expect(r.hostKey).toBe(`ssh-ed25519 ${listed.split(' ')[1]}`);
    const rsa = await sshTransport(target({ knownHostsFile: knownHosts(`${hostName()} ${sshd.hostKeys.rsa}`) })).run(
      'true',
      '',
      soon(),
    );
    expect(rsa.hostKey).toMatch(/^rsa-sha2-512 SHA256:|^ssh-rsa SHA256:/);
    expect((await localTransport().run('true', '', soon())).hostKey).toBeNull();
  });

  it('matches a hashed known_hosts entry', async () => {
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update(hostName()).digest('base64');
    const file = knownHosts(`|1|${salt.toString('base64')}|${hash} ${sshd.hostKeys.ed25519}`);
    const r = await sshTransport(target({ knownHostsFile: file })).run('true', '', soon());
    expect(r.exitCode).toBe(0);
  });

  it('asks the server for the key type already known (RSA here), not reporting a change', async () => {
    const file = knownHosts(`${hostName()} ${sshd.hostKeys.rsa}`);
    const r = await sshTransport(target({ knownHostsFile: file })).run('true', '', soon());
    expect(r.exitCode).toBe(0);
  });

  it('refuses an unknown host with strictHostKeyChecking yes', async () => {
    const file = knownHosts('# empty');
    const err = await failure(sshTransport(target({ knownHostsFile: file })).run('true', '', soon()));
    expect(err.failure).toBe('hostkey-unknown');
    expect(err.message).toContain(`testhost (127.0.0.1:${sshd.port}): host key not in ${file}`);
    expect(err.message).toMatch(/ssh-keyscan -p \d+ 127\.0\.0\.1.*accept-new/);
  });

  it('records the key with accept-new, then connects quietly', async () => {
    const file = join(work, 'newdir', 'known_hosts');
    const first = sshTransport(target({ knownHostsFile: file, strictHostKeyChecking: 'accept-new' }));
    expect((await first.run('true', '', soon())).exitCode).toBe(0);
    expect(first.notes).toHaveLength(1);
    expect(first.notes[0]).toMatch(/host key ssh-ed25519 SHA256:[A-Za-z0-9+/]+ recorded in .*accept-new/);
    expect(readFileSync(file, 'utf8')).toBe(`${hostName()} ${sshd.hostKeys.ed25519}\n`);

    const second = sshTransport(target({ knownHostsFile: file, strictHostKeyChecking: 'accept-new' }));
    expect((await second.run('true', '', soon())).exitCode).toBe(0);
    expect(second.notes).toEqual([]);
  });

  it('reports a changed key even with accept-new', async () => {
    const other = readFileSync(`${sshd.wrongKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    const file = knownHosts(`${hostName()} ${other}`);
    const err = await failure(
      sshTransport(target({ knownHostsFile: file, strictHostKeyChecking: 'accept-new' })).run('true', '', soon()),
    );
    expect(err.failure).toBe('hostkey-changed');
    expect(err.message).toMatch(/HOST KEY CHANGED \(ssh-ed25519 SHA256:[^=\s]+;.*man-in-the-middle.*ssh-keygen -R/);
    expect(readFileSync(file, 'utf8')).toBe(`${hostName()} ${other}\n`);
  });

  it('treats a @revoked key as an error', async () => {
    const file = knownHosts(`@revoked * ${sshd.hostKeys.ed25519}`, `${hostName()} ${sshd.hostKeys.ed25519}`);
    const err = await failure(sshTransport(target({ knownHostsFile: file })).run('true', '', soon()));
    expect(err.failure).toBe('hostkey-changed');
    expect(err.message).toMatch(/@revoked/);
  });
});

describe('ssh transport: authentication', () => {
  it('reports a refused key as an auth failure naming what was tried', async () => {
    const err = await failure(sshTransport(target({ identityFile: sshd.wrongKey })).run('true', '', soon()));
    expect(err.failure).toBe('auth');
    expect(err.message).toContain(`authentication failed for user root (tried: ${sshd.wrongKey})`);
  });

  it('uses an encrypted key with the passphrase from an env variable', async () => {
    process.env.LABSPEC_TEST_PASSPHRASE = sshd.passphrase;
    try {
      const t = sshTransport(target({ identityFile: sshd.encryptedKey, passphraseEnv: 'LABSPEC_TEST_PASSPHRASE' }));
      expect((await t.run('true', '', soon())).exitCode).toBe(0);
    } finally {
      delete process.env.LABSPEC_TEST_PASSPHRASE;
    }
  });

  it('says which passphrase/password variable is missing', async () => {
    const p = await failure(
      sshTransport(target({ identityFile: sshd.encryptedKey, passphraseEnv: 'LABSPEC_NO_SUCH_VAR' })).run(
        'true',
        '',
        soon(),
      ),
    );
    expect(p.failure).toBe('config');
    expect(p.message).toContain('passphrase variable LABSPEC_NO_SUCH_VAR is not set');

    const w = await failure(sshTransport(target({ passwordEnv: 'LAB_PASS_UNSET' })).run('true', '', soon()));
    expect(w.failure).toBe('config');
    expect(w.message).toBe(
      `testhost (127.0.0.1:${sshd.port}): password variable LAB_PASS_UNSET is not set; export it before running labspec`,
    );
  });

  it('reports an encrypted key without passphrase and a missing key file as config errors', async () => {
    const enc = await failure(sshTransport(target({ identityFile: sshd.encryptedKey })).run('true', '', soon()));
    expect(enc.failure).toBe('config');
    expect(enc.message).toMatch(/is encrypted; set passphraseEnv/);
    const missing = await failure(sshTransport(target({ identityFile: join(work, 'nope') })).run('true', '', soon()));
    expect(missing.failure).toBe('config');
    expect(missing.message).toMatch(/does not exist/);
  });
});

describe('ssh transport: ssh-agent', () => {
  async function withAgent(keys: string[], fn: () => Promise<void>) {
    const agent = await startAgent(keys);
    process.env.SSH_AUTH_SOCK = agent.socket;
    try {
      await fn();
    } finally {
      delete process.env.SSH_AUTH_SOCK;
      await agent.stop();
    }
  }

  it('tries the agent before key files', async () => {
    await withAgent([sshd.clientKey], async () => {
      const r = await sshTransport(target({ identityFile: sshd.wrongKey })).run('true', '', soon());
      expect(r.exitCode).toBe(0);
    });
  });

  it('lists the agent among the methods tried', async () => {
    await withAgent([sshd.wrongKey], async () => {
      const err = await failure(sshTransport(target({ identityFile: sshd.wrongKey })).run('true', '', soon()));
      expect(err.failure).toBe('auth');
      expect(err.message).toContain(`(tried: agent, ${sshd.wrongKey})`);
    });
  });
});

describe('ssh transport: network failures', () => {
  it('reports connection refused as unreachable', async () => {
    const port = await freePort();
    const err = await failure(sshTransport(target({ port })).run('true', '', soon()));
    expect(err.failure).toBe('unreachable');
    expect(err.message).toBe(
      `testhost (127.0.0.1:${port}): connection refused; is sshd running and is the port right?`,
    );
  });

  describe('against a server that never speaks', () => {
    let server: Server;
    const sockets: Socket[] = [];
    let port: number;
    beforeAll(async () => {
      server = createServer((s) => sockets.push(s));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as { port: number }).port;
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    });

    it('times out within connectTimeoutMs', async () => {
      const start = Date.now();
      const err = await failure(sshTransport(target({ port, connectTimeoutMs: 500 })).run('true', '', soon()));
      expect(err.failure).toBe('timeout');
      expect(err.message).toBe(`testhost (127.0.0.1:${port}): no SSH banner within 0.5s`);
      expect(Date.now() - start).toBeLessThan(2000);
    });

    it('throws timeout when the deadline fires before the command starts', async () => {
      const err = await failure(sshTransport(target({ port, connectTimeoutMs: 10_000 })).run('true', '', soon(400)));
      expect(err.failure).toBe('timeout');
    });
  });
});

describe('ssh transport: ssh_config and ProxyJump', () => {
  const sshConfig = (text: string) => {
    const file = join(work, `ssh_config_${++counter}`);
    writeFileSync(file, text);
    return file;
  };

  it('resolves an alias with HostName, Port, User and IdentityFile', async () => {
    const file = sshConfig(
      `Host labalias\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User root\n  IdentityFile ${sshd.clientKey}\n`,
    );
    const t = sshTransport(
      target({ address: 'labalias', port: undefined, user: undefined, identityFile: undefined, sshConfigFile: file }),
    );
    expect(t.description).toBe(`ssh root@127.0.0.1:${sshd.port}`);
    const r = await t.run('id -un', '', soon());
    expect(r.stdout.toString()).toBe('root\n');
  });

  it('follows Include: a relative glob under the config folder, spliced where it stands', async () => {
    const dir = join(work, `ssh_dir_${++counter}`);
    mkdirSync(join(dir, 'config.d'), { recursive: true });
    writeFileSync(
      join(dir, 'config.d', '10-lab.conf'),
      `Host included\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User root\n  IdentityFile ${sshd.clientKey}\n`,
    );
    writeFileSync(join(dir, 'config.d', 'README'), 'Host included\n  Port 1\n');
    const file = join(dir, 'config');
    writeFileSync(file, 'Include config.d/*.conf\n');
    const r = await sshTransport(
      target({ address: 'included', port: undefined, user: undefined, identityFile: undefined, sshConfigFile: file }),
    ).run('id -un', '', soon());
    expect(r.stdout.toString()).toBe('root\n');
  });

  it('jumps through the same sshd to itself', async () => {
    const file = sshConfig(
      `Host jumpbox\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User root\n  IdentityFile ${sshd.clientKey}\n`,
    );
    const before = sshd.log().match(/Accepted publickey/g)?.length ?? 0;
    const t = sshTransport(target({ proxyJump: 'jumpbox', sshConfigFile: file }));
    expect(t.description).toBe(`ssh root@127.0.0.1:${sshd.port} (via root@127.0.0.1:${sshd.port})`);
    const r = await t.run('sh -s', 'echo via-jump', soon());
    expect(r.stdout.toString()).toBe('via-jump\n');
    await new Promise((res) => setTimeout(res, 200)); // let sshd flush its log
    expect(sshd.log().match(/Accepted publickey/g)?.length ?? 0).toBe(before + 2);
  });

  it('names the jump host when it cannot reach the target', async () => {
    const file = sshConfig(
      `Host jumpbox\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User root\n  IdentityFile ${sshd.clientKey}\n`,
    );
    const port = await freePort();
    const err = await failure(
      sshTransport(target({ port, proxyJump: 'jumpbox', sshConfigFile: file })).run('true', '', soon()),
    );
    expect(err.failure).toBe('unreachable');
    expect(err.message).toMatch(
      new RegExp(
        `^testhost \\(127\\.0\\.0\\.1:${port}\\): jump host 127\\.0\\.0\\.1:${sshd.port} could not open a connection`,
      ),
    );
  });
});

describe('local transport', () => {
  it('runs /bin/sh -c with stdin, separating stdout and stderr', async () => {
    const t = localTransport();
    expect(t.description).toBe('local');
    const r = await t.run('sh -s', 'echo out; echo err >&2; exit 4', soon());
    expect(r).toMatchObject({ exitCode: 4, timedOut: false });
    expect(r.stdout.toString()).toBe('out\n');
    expect(r.stderr.toString()).toBe('err\n');
  });

  it('kills the command at the deadline and keeps partial output', async () => {
    const start = Date.now();
    const r = await localTransport().run('echo partial; exec sleep 30', '', soon(500));
    expect(r).toMatchObject({ exitCode: null, timedOut: true });
    expect(r.stdout.toString()).toBe('partial\n');
    expect(Date.now() - start).toBeLessThan(3000);
  });
});
