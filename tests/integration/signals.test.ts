import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, labspec } from '../helpers/labspec-cli.ts';
import { REPO } from '../helpers/run-npm-test.ts';

/** Is any process of this process group still there? */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

/**
 * A signal to labspec alone, to npm alone (which does not pass it on), or to the whole group, as CI
 * cancel, `timeout` and supervisors send them: the run ends promptly, nothing it started is left,
 * and the reports folder still shows the previous complete run.
 */
describe('signals and orphans', () => {
  let dir: string;
  let silent: Server;
  const sockets: Socket[] = [];
  let before: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(process.env.LABSPEC_TEST_SCRATCH ?? tmpdir(), 'signals-'));
    // A host that accepts the connection and never speaks keeps a run waiting as long as we like.
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'key')]);
    writeFileSync(
      join(dir, 'silent.yaml'),
      `defaults: { connectTimeoutSeconds: 120, identityFile: ${join(dir, 'key')}, knownHostsFile: ${join(dir, 'kh')} }\n` +
        `hosts:\n  - { name: controller, address: 127.0.0.1, port: ${port}, labAddress: 10.0.0.100, role: controller }\n`,
    );
    writeFileSync(
      join(dir, 'image.yaml'),
      'defaults: { transport: local }\nhosts:\n  - { name: builder, address: 127.0.0.1, labAddress: 10.0.0.100, role: controller }\n',
    );
    expect(labspec(['run', '--inventory', 'image.yaml', '-q'], { cwd: dir }).code).toBe(1);
    before = readFileSync(join(dir, 'reports', 'results.json'), 'utf8');
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const starts = {
    'labspec run': [process.execPath, join(REPO, 'bin/labspec.ts'), 'run', '--inventory', 'silent.yaml'],
    'npm run labspec': ['npm', '--prefix', REPO, 'run', 'labspec', '--', 'run', '--inventory', join('silent.yaml')],
    'npm test': ['npm', '--prefix', REPO, 'test'],
  } as const;

  const cases = [
    ['labspec run', 'SIGINT', 'alone', 130],
    ['labspec run', 'SIGTERM', 'alone', 143],
    ['labspec run', 'SIGTERM', 'group', 143],
    ['npm run labspec', 'SIGTERM', 'alone', null],
    ['npm run labspec', 'SIGINT', 'group', null],
    ['npm test', 'SIGTERM', 'alone', null],
    ['npm test', 'SIGINT', 'group', null],
  ] as const;

  for (const [how, signal, target, code] of cases) {
    it(`${how}: ${signal} to ${target === 'alone' ? 'the first process alone' : 'the process group'}`, async () => {
      const [program, ...args] = starts[how];
      const child = spawn(program, args, {
        cwd: dir,
        detached: true,
        stdio: 'ignore',
        env: cleanEnv({
          HOME: dir,
          LABSPEC_INVENTORY: join(dir, 'silent.yaml'),
          LABSPEC_REPORTS: join(dir, 'reports'),
          // npm runs scripts from the package folder; relative paths are the caller's (INIT_CWD).
          INIT_CWD: dir,
        }),
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      const connected = sockets.length;
      expect(await until(() => sockets.length > connected, 60_000), 'labspec reached the host').toBe(true);
      const sent = Date.now();
      process.kill(target === 'alone' ? child.pid! : -child.pid!, signal);
      const exit = await exited;
      if (code !== null) expect(exit).toBe(code);
      expect(await until(() => !groupAlive(child.pid!), 10_000), 'no process of the run is left').toBe(true);
      expect(Date.now() - sent).toBeLessThan(10_000);
      expect(readFileSync(join(dir, 'reports', 'results.json'), 'utf8')).toBe(before);
      expect(readdirSync(join(dir, 'reports', 'runs')).filter((name) => name.startsWith('.'))).toEqual([]);
    }, 90_000);
  }
});
