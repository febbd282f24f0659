import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/run-npm-test.ts';

function labspec(args: string[], env: Record<string, string> = {}) {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'TEST' && k !== 'NODE_ENV'),
  );
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'bin/labspec.ts'), ...args], {
    cwd: REPO,
    env: { ...inherited, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const scratch: string[] = [];
function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'labspec-cli-'));
  scratch.push(dir);
  return dir;
}

describe('the labspec CLI', () => {
  afterAll(() => {
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  it('--help lists the commands, the reports and the exit codes', () => {
    const run = labspec(['--help']);
    expect(run.code).toBe(0);
    for (const text of ['labspec run', 'labspec replay', 'labspec lab up', 'labspec demo', 'junit.xml', 'Exit codes'])
      expect(run.stdout).toContain(text);
  });

  it('probes lists every command labspec may send', () => {
    const run = labspec(['probes']);
    expect(run.code).toBe(0);
    for (const text of ['$ systemctl show -p', '$ chronyc -n sources', '$ firewall-cmd --state', 'etc-hosts — '])
      expect(run.stdout).toContain(text);
  });

  it('exits 2 on an unknown command or option', () => {
    expect(labspec(['frobnicate']).code).toBe(2);
    expect(labspec(['run', '--no-such-flag']).code).toBe(2);
  });

  it('exits 2 on an invalid inventory, with one located line per problem and no stack trace', () => {
    const dir = scratchDir();
    const inventory = join(dir, 'lab.yaml');
    writeFileSync(
      inventory,
      'hosts:\n  - name: controller\n    address: 10.0.0.100\n    role: controller\n  - name: compute1\n    address: 10.0.0.101\n    role: computer\n',
    );
    const run = labspec(['run', '--inventory', inventory, '--reports', join(dir, 'reports')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${inventory}:7 hosts[1].role: expected controller | compute`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('runs the local transport, then replays its snapshot offline to the same verdicts', () => {
    const dir = scratchDir();
    const inventory = join(dir, 'image.yaml');
    writeFileSync(
      inventory,
      'lab: { name: image }\ndefaults: { transport: local }\nhosts:\n  - { name: builder, address: 127.0.0.1, labAddress: 10.0.0.100, role: controller }\n',
    );
    // A snapshot left by an earlier run of another host must not be replayed with this one.
    mkdirSync(join(dir, 'live', 'facts'), { recursive: true });
    writeFileSync(join(dir, 'live', 'facts', 'ghost.json'), '{}');
    const live = labspec(['run', '--inventory', inventory, '--reports', join(dir, 'live')]);
    expect(readdirSync(join(dir, 'live', 'facts'))).toEqual(['builder.json']);
    // This machine is not a prepared CentOS host: checks fail, and the run says so with exit 1.
    expect(live.code).toBe(1);
    const replay = labspec(['replay', join(dir, 'live', 'facts'), '--reports', join(dir, 'replayed')]);
    expect(replay.code).toBe(1);
    const verdicts = (reports: string) =>
      (
        JSON.parse(readFileSync(join(dir, reports, 'results.json'), 'utf8')).results as Array<{
          check: string;
          status: string;
        }>
      ).map((r) => `${r.check}:${r.status}`);
    expect(verdicts('replayed')).toEqual(verdicts('live'));
    expect(verdicts('live')).toContain('cpu.count:pass');
    const snapshot = JSON.parse(readFileSync(join(dir, 'live', 'facts', 'builder.json'), 'utf8'));
    expect(snapshot.outputs.every((o: { durationMs: number | null }) => typeof o.durationMs === 'number')).toBe(true);
    expect(typeof snapshot.connectMs).toBe('number');
  });

  it('exits 2 when there is nothing to replay', () => {
    const run = labspec(['replay', join(tmpdir(), 'labspec-no-such-dir')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cannot read snapshots');
  });
});
