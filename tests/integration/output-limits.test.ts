import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultsDocument } from '../../outputs/report.ts';
import { cleanEnv } from '../helpers/labspec-cli.ts';
import { REPO } from '../helpers/run-npm-test.ts';
import { startSshd, type TestSshd } from '../helpers/sshd.ts';

const isRoot = process.getuid?.() === 0;
const MiB = 1024 * 1024;

/** Runs labspec under a 256 MB heap limit and samples its resident memory until it exits. */
function runMeasured(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; peakRssMiB: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--max-old-space-size=256', join(REPO, 'bin/labspec.ts'), ...args], {
      env: cleanEnv(env),
      stdio: 'ignore',
    });
    let peak = 0;
    const sample = setInterval(() => {
      try {
        const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (rss) peak = Math.max(peak, Number(rss[1]) / 1024);
      } catch {
        /* exited */
      }
    }, 20);
    child.once('exit', (code) => {
      clearInterval(sample);
      resolve({ code, peakRssMiB: peak });
    });
  });
}

/**
 * Hosts whose output has no sensible bound, on real sshd: /etc/hosts replaced, inside a private mount
 * namespace of the session only (never the machine's own file), by a 50 MB file or by /dev/zero.
 */
describe.skipIf(!isRoot)('output limits (real sshd, needs root)', () => {
  const servers: TestSshd[] = [];
  let dir: string;
  let bigDir: string;
  let inventory: string;

  const wrapper = (source: string) =>
    `ForceCommand unshare -m /bin/sh -c 'mount --bind ${source} /etc/hosts && exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"'`;

  beforeAll(async () => {
    bigDir = mkdtempSync(join(process.env.LABSPEC_TEST_SCRATCH ?? tmpdir(), 'big-hosts-'));
    const big = join(bigDir, 'hosts-50mb');
    const line = '10.9.9.9 filler-entry-for-a-very-large-hosts-file\n';
    writeFileSync(big, line.repeat(Math.ceil((50 * MiB) / line.length)));
    const large = await startSshd([wrapper(big)]);
    const endless = await startSshd([wrapper('/dev/zero')]);
    servers.push(large, endless);
    writeFileSync(join(endless.dir, 'authorized_keys'), readFileSync(join(large.dir, 'authorized_keys')));
    const knownHosts = join(large.dir, 'known_hosts');
    writeFileSync(knownHosts, servers.map((s) => `[127.0.0.1]:${s.port} ${s.hostKeys.ed25519}\n`).join(''));
    inventory = join(large.dir, 'inventory.yaml');
    writeFileSync(
      inventory,
      [
        `defaults: { user: root, identityFile: ${large.clientKey}, knownHostsFile: ${knownHosts}, deadlineSeconds: 60 }`,
        'hosts:',
        `  - { name: controller, address: 127.0.0.1, port: ${large.port}, labAddress: 10.0.0.100, role: controller }`,
        `  - { name: compute1, address: 127.0.0.1, port: ${endless.port}, labAddress: 10.0.0.101, role: compute }`,
        '',
      ].join('\n'),
    );
    dir = large.dir;
  }, 120_000);

  afterAll(async () => {
    for (const server of servers) await server.stop();
    rmSync(bigDir, { recursive: true, force: true });
  });

  const results = (reports: string) =>
    resultsDocument.parse(JSON.parse(readFileSync(join(reports, 'results.json'), 'utf8'))).results;

  it('a 50 MB file and an endless one are cut on the host: their checks error, the rest are judged, memory stays small', async () => {
    const reports = join(dir, 'reports-probe-limit');
    const run = await runMeasured(['run', '--inventory', inventory, '--reports', reports, '-q'], { HOME: dir });
    expect([1, 3]).toContain(run.code);
    for (const host of ['controller', 'compute1']) {
      const byCheck = new Map(
        results(reports)
          .filter((r) => r.host === host)
          .map((r) => [r.check, r]),
      );
      expect(byCheck.get('hosts.controller')).toMatchObject({
        status: 'error',
        message: expect.stringContaining('output exceeded the per-probe limit (maxProbeOutputMiB)'),
      });
      expect(byCheck.get('cpu.count')?.status, host).toBe('pass');
    }
    const snapshot = join(reports, 'facts', 'compute1.json');
    const hostsOutput = JSON.parse(readFileSync(snapshot, 'utf8')).outputs.find(
      (o: { probe: string }) => o.probe === 'etcHosts',
    );
    expect(hostsOutput.truncated).toBe(true);
    // Kept: the 8 MiB limit and a byte, JSON-escaped; never the endless stream.
    expect(statSync(snapshot).size).toBeLessThan(60 * MiB);
    expect(run.peakRssMiB).toBeGreaterThan(0);
    // About 100 MiB for Node and labspec itself, plus a few times the 2 × 8 MiB kept (the endless case used to take 2.3 GB).
    expect(run.peakRssMiB).toBeLessThan(250);
  }, 120_000);

  it('past the per-host limit labspec stops reading that host and says so', async () => {
    const limited = join(dir, 'limited.yaml');
    writeFileSync(
      limited,
      readFileSync(inventory, 'utf8').replace('deadlineSeconds: 60', 'deadlineSeconds: 60, maxHostOutputMiB: 1'),
    );
    const reports = join(dir, 'reports-host-limit');
    const run = await runMeasured(['run', '--inventory', limited, '--reports', reports, '-q'], { HOME: dir });
    expect([1, 3]).toContain(run.code);
    const hosts = results(reports).find((r) => r.host === 'compute1' && r.check === 'hosts.controller')!;
    expect(hosts.message).toContain(
      'the host sent more than 1 MiB in all (maxHostOutputMiB); labspec stopped reading it',
    );
    const early = results(reports).find((r) => r.host === 'compute1' && r.check === 'cpu.count')!;
    expect(early.status).toBe('pass');
  }, 120_000);
});
