import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REGISTRY, isFamily } from '../../checks/registry.ts';
import { resultsDocument } from '../../outputs/report.ts';
import { cleanEnv, labspec } from '../helpers/labspec-cli.ts';
import { REPO } from '../helpers/run-npm-test.ts';

const scratch: string[] = [];
function scratchDir(): string {
  const dir = mkdtempSync(join(process.env.LABSPEC_TEST_SCRATCH ?? tmpdir(), 'cli-'));
  scratch.push(dir);
  return dir;
}

const IMAGE_INVENTORY =
  'lab: { name: image }\ndefaults: { transport: local }\nhosts:\n' +
  '  - { name: builder, address: 127.0.0.1, labAddress: 10.0.0.100, role: controller }\n';

const results = (path: string) => resultsDocument.parse(JSON.parse(readFileSync(path, 'utf8')));
const verdicts = (path: string) => results(path).results.map((r) => `${r.check}:${r.status}`);

describe('the labspec CLI', () => {
  afterAll(() => {
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  it('--help lists the commands, the reports and every exit code; each command has its own --help', () => {
    const run = labspec(['--help']);
    expect(run.code).toBe(0);
    for (const text of [
      'labspec run',
      'labspec replay',
      'labspec merge',
      'labspec checks',
      'labspec lab',
      'junit.xml',
      'Exit codes',
    ]) {
      expect(run.stdout).toContain(text);
    }
    for (const code of ['0 ', '1 ', '2 ', '3 ', '4 ', '130']) expect(run.stdout).toContain(`  ${code}`);
    for (const command of ['run', 'replay', 'merge', 'checks', 'probes', 'lab', 'demo']) {
      const help = labspec([command, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toContain(`labspec ${command}`);
    }
  });

  it('probes lists every command labspec may send', () => {
    const run = labspec(['probes']);
    expect(run.code).toBe(0);
    for (const text of ['$ systemctl show -p', '$ chronyc -n sources', '$ firewall-cmd --state', 'etc-hosts — ']) {
      expect(run.stdout).toContain(text);
    }
  });

  it('checks lists the registry, in text and as JSON with Korean titles', () => {
    const text = labspec(['checks']);
    expect(text.code).toBe(0);
    const json = labspec(['checks', '--json']);
    const listed = JSON.parse(json.stdout) as Array<{ id: string; titleKo: string; points: number }>;
    expect(listed.map((c) => c.id)).toEqual(REGISTRY.map((e) => (isFamily(e) ? e.template.id : e.id)));
    for (const check of listed) {
      expect(text.stdout).toContain(check.id);
      expect(check.titleKo).toMatch(/[가-힣]/);
    }
  });

  it('exits 2 with one line on an unknown command, an unknown option or a stray argument', () => {
    for (const args of [['frobnicate'], ['run', '--no-such-flag'], ['run', 'some.yaml'], ['checks', 'extra']]) {
      const run = labspec(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.split('\n')[0], args.join(' ')).toMatch(/^labspec: /);
      expect(run.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
    }
    expect(labspec(['run', 'some.yaml']).stderr).toContain('--inventory');
  });

  it('lab up refuses an unknown scenario or a class size with exit 2 and one line, before touching the lab', () => {
    for (const [args, message] of [
      [['--scenario', 'bogus'], 'labspec lab: unknown scenario "bogus"; labspec lab scenarios lists them\n'],
      [['--class', '0'], 'labspec lab: --class takes a number of labs from 1 to 39, got "0"\n'],
      [
        ['--class', 'four', '--scenario', 'drift'],
        'labspec lab: --class takes a number of labs from 1 to 39, got "four"\n',
      ],
    ] as const) {
      const run = labspec(['lab', 'up', ...args]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toBe(message);
    }
  });

  it('exits 2 on an invalid inventory, with one located line per problem and no stack trace', () => {
    const dir = scratchDir();
    const inventory = join(dir, 'lab.yaml');
    writeFileSync(
      inventory,
      'hosts:\n  - name: controller\n    address: 10.0.0.100\n    role: controller\n' +
        '  - name: compute1\n    address: 10.0.0.101\n    role: computer\n',
    );
    const run = labspec(['run', '--inventory', inventory, '--reports', join(dir, 'reports')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${inventory}:7 hosts[1].role: expected controller | compute`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('runs from any folder: reports land there, and a replay from the same folder finds them', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'image.yaml'), IMAGE_INVENTORY);
    const live = labspec(['run', '--inventory', 'image.yaml', '-q'], { cwd: dir });
    // This machine is not a prepared CentOS host: checks fail, and the run says so with exit 1.
    expect(live.code, live.stderr).toBe(1);
    const latest = readlinkSync(join(dir, 'reports', 'latest'));
    expect(latest).toMatch(/^runs\/\d{8}T\d{6}Z-[0-9a-f]{4}$/);
    expect(readdirSync(join(dir, 'reports', latest, 'facts'))).toEqual(['builder.json']);
    expect(verdicts(join(dir, 'reports', 'results.json'))).toContain('cpu.count:pass');

    const replay = labspec(['replay', '-q'], { cwd: dir });
    expect(replay.code, replay.stderr).toBe(1);
    expect(readdirSync(join(dir, 'reports', 'runs'))).toHaveLength(2);
    const replayed = results(join(dir, 'reports', 'results.json'));
    expect(replayed.run).toMatchObject({ kind: 'replay', gatheredBy: latest.slice('runs/'.length) });
    expect(verdicts(join(dir, 'reports', 'results.json'))).toEqual(
      verdicts(join(dir, 'reports', latest, 'results.json')),
    );
    const snapshot = JSON.parse(readFileSync(join(dir, 'reports', 'facts', 'builder.json'), 'utf8'));
    expect(snapshot.outputs.every((o: { durationMs: number | null }) => typeof o.durationMs === 'number')).toBe(true);
    expect(typeof snapshot.connectMs).toBe('number');
    expect(existsSync(join(process.cwd(), 'reports', 'runs', replayed.run.id))).toBe(false);
  });

  it('replays a reports folder, a run folder or a facts folder to the same verdicts', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'image.yaml'), IMAGE_INVENTORY);
    expect(labspec(['run', '--inventory', 'image.yaml', '--reports', 'live', '-q'], { cwd: dir }).code).toBe(1);
    const expected = verdicts(join(dir, 'live', 'results.json'));
    const runDir = join('live', readlinkSync(join(dir, 'live', 'latest')));
    for (const [name, from] of [
      ['reports', 'live'],
      ['run', runDir],
      ['facts', join(runDir, 'facts')],
    ] as const) {
      const replay = labspec(['replay', from, '--reports', `replayed-${name}`, '-q'], { cwd: dir });
      expect(replay.code, `${name}: ${replay.stderr}`).toBe(1);
      expect(verdicts(join(dir, `replayed-${name}`, 'results.json')), name).toEqual(expected);
    }
  });

  it('a filter that selects nothing is a usage error: exit 2, nothing contacted, no stale top-level report', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'image.yaml'), IMAGE_INVENTORY);
    expect(labspec(['run', '--inventory', 'image.yaml', '-q'], { cwd: dir }).code).toBe(1);
    const run = labspec(['run', '--inventory', 'image.yaml', '-t', 'no-such-check'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('labspec: --filter "no-such-check" selects no check; nothing was contacted\n');
    expect(existsSync(join(dir, 'reports', 'junit.xml'))).toBe(false);
    expect(existsSync(join(dir, 'reports', 'results.json'))).toBe(false);
    expect(readdirSync(join(dir, 'reports', 'runs'))).toHaveLength(1);

    const invalid = labspec(['run', '--inventory', 'image.yaml', '-t', 'chrony.(allow'], { cwd: dir });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr.split('\n')[0]).toMatch(/^labspec: --filter: not a valid regular expression/);
  });

  it('a filter is a regular expression over "<section> > <host> › <check>"', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'image.yaml'), IMAGE_INVENTORY);
    const bySection = labspec(['run', '--inventory', 'image.yaml', '-t', '^Disable SELinux >', '-q'], { cwd: dir });
    expect([1, 3]).toContain(bySection.code);
    expect(results(join(dir, 'reports', 'results.json')).results.map((r) => r.check)).toEqual([
      'selinux.runtime',
      'selinux.config',
    ]);
    expect(results(join(dir, 'reports', 'results.json')).run.filter).toBe('^Disable SELinux >');
    const byCheck = labspec(['run', '--inventory', 'image.yaml', '-t', 'builder › cpu\\.count$', '-q'], { cwd: dir });
    expect(byCheck.code).toBe(0);
    expect(verdicts(join(dir, 'reports', 'results.json'))).toEqual(['cpu.count:pass']);
  });

  it('prints colour only on request: none when piped, NO_COLOR wins over FORCE_COLOR', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'image.yaml'), IMAGE_INVENTORY);
    const args = ['run', '--inventory', 'image.yaml'];
    expect(labspec(args, { cwd: dir }).stdout).not.toContain('\x1b[');
    expect(labspec(args, { cwd: dir, env: { FORCE_COLOR: '0' } }).stdout).not.toContain('\x1b[');
    expect(labspec(args, { cwd: dir, env: { FORCE_COLOR: '1' } }).stdout).toContain('\x1b[');
    expect(labspec(args, { cwd: dir, env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stdout).not.toContain('\x1b[');
  });

  it('names host and check together, and --quiet prints only the summary', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'image.yaml'), IMAGE_INVENTORY);
    const loud = labspec(['run', '--inventory', 'image.yaml'], { cwd: dir });
    expect(loud.stdout).toMatch(/^✗ builder › os\.release {2}/m);
    expect(loud.stdout).toContain('    fix:      ');
    const quiet = labspec(['run', '--inventory', 'image.yaml', '--quiet'], { cwd: dir });
    expect(quiet.stdout).not.toContain('builder › ');
    expect(quiet.stdout).toContain('labspec summary');
  });

  it('exits 2 before contacting anything when the reports folder cannot be written', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'image.yaml'), IMAGE_INVENTORY);
    writeFileSync(join(dir, 'not-a-folder'), '');
    const run = labspec(['run', '--inventory', 'image.yaml', '--reports', 'not-a-folder/reports'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^labspec: .*not-a-folder\/reports\/runs.*: cannot write the reports \(ENOTDIR\)\n$/);
  });

  it('exits 2 when there is nothing to replay', () => {
    const dir = scratchDir();
    mkdirSync(join(dir, 'empty'));
    const run = labspec(['replay', 'empty'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no snapshots');
  });

  it('ends promptly with 130 or 143 on a signal, leaving the previous complete run at the top level', async () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'image.yaml'), IMAGE_INVENTORY);
    expect(labspec(['run', '--inventory', 'image.yaml', '-q'], { cwd: dir }).code).toBe(1);
    const before = readFileSync(join(dir, 'reports', 'results.json'), 'utf8');
    // A host that accepts the connection and never speaks keeps the run waiting.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'key')]);
    writeFileSync(
      join(dir, 'silent.yaml'),
      `defaults: { connectTimeoutSeconds: 60, identityFile: ${join(dir, 'key')}, knownHostsFile: ${join(dir, 'kh')} }\n` +
        'hosts:\n' +
        `  - { name: controller, address: 127.0.0.1, port: ${port}, labAddress: 10.0.0.100, role: controller }\n`,
    );
    try {
      for (const [signal, code] of [
        ['SIGINT', 130],
        ['SIGTERM', 143],
      ] as const) {
        const child = spawn(process.execPath, [join(REPO, 'bin/labspec.ts'), 'run', '--inventory', 'silent.yaml'], {
          cwd: dir,
          env: cleanEnv({ HOME: dir }),
          stdio: 'ignore',
        });
        // Signal once labspec is inside the run: connected to the silent host and waiting on it.
        const connected = sockets.length;
        while (sockets.length === connected) await new Promise((resolve) => setTimeout(resolve, 50));
        const sent = Date.now();
        child.kill(signal);
        const exit = await new Promise<number | null>((resolve) => child.once('exit', resolve));
        expect(exit, signal).toBe(code);
        expect(Date.now() - sent, signal).toBeLessThan(10_000);
        expect(readFileSync(join(dir, 'reports', 'results.json'), 'utf8'), signal).toBe(before);
        expect(
          readdirSync(join(dir, 'reports', 'runs')).filter((name) => name.startsWith('.')),
          signal,
        ).toEqual([]);
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
