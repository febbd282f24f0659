import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultsDocument } from '../../outputs/report.ts';
import { cleanEnv, labspec } from '../helpers/labspec-cli.ts';
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

/**
 * A fractional maxProbeOutputMiB is a whole number of bytes on the host: rounded down, so `head -c` gets an integer
 * and a probe's output is cut exactly past it. Two real sshd serve an /etc/hosts of exactly 0.5 MiB and of one byte
 * more; each is read at 0.5 MiB and at a limit just above it whose byte count has a fraction.
 */
describe.skipIf(!isRoot)('a fractional maxProbeOutputMiB (real sshd, needs root)', () => {
  const servers: TestSshd[] = [];
  let files: string;
  let inventory: string;
  const LIMIT = 524288;

  beforeAll(async () => {
    files = mkdtempSync(join(process.env.LABSPEC_TEST_SCRATCH ?? tmpdir(), 'half-mib-'));
    const hostsFile = (name: string, bytes: number) => {
      const head = '10.0.0.100 controller\n10.0.0.101 compute1\n# ';
      writeFileSync(join(files, name), head + 'x'.repeat(bytes - head.length - 1) + '\n');
      return join(files, name);
    };
    const wrapper = (source: string) =>
      `ForceCommand unshare -m /bin/sh -c 'mount --bind ${source} /etc/hosts && exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"'`;
    const exact = await startSshd([wrapper(hostsFile('exact', LIMIT))]);
    const over = await startSshd([wrapper(hostsFile('over', LIMIT + 1))]);
    servers.push(exact, over);
    writeFileSync(join(over.dir, 'authorized_keys'), readFileSync(join(exact.dir, 'authorized_keys')));
    const knownHosts = join(files, 'known_hosts');
    writeFileSync(knownHosts, servers.map((s) => `[127.0.0.1]:${s.port} ${s.hostKeys.ed25519}\n`).join(''));
    const host = (name: string, server: TestSshd, limit: number) =>
      `  - { name: ${name}, address: 127.0.0.1, port: ${server.port}, labAddress: 10.0.0.101, role: compute, maxProbeOutputMiB: ${limit} }`;
    inventory = join(files, 'inventory.yaml');
    writeFileSync(
      inventory,
      [
        `defaults: { user: root, identityFile: ${exact.clientKey}, knownHostsFile: ${knownHosts} }`,
        'hosts:',
        host('exact', exact, 0.5),
        host('over', over, 0.5),
        // 524288.0105 bytes: its fraction used to reach head -c as 524289.0105, which head refuses.
        host('exact-fraction', exact, 0.50000001),
        host('over-fraction', over, 0.50000001),
        '',
      ].join('\n'),
    );
  }, 60_000);

  afterAll(async () => {
    for (const server of servers) await server.stop();
    if (files) rmSync(files, { recursive: true, force: true });
  });

  it('is cut on the host at 524288 bytes: an output of exactly that is judged, one byte more errors', () => {
    const reports = join(files, 'reports');
    const run = labspec(['run', '--inventory', inventory, '--reports', reports, '-q'], { env: { HOME: files } });
    expect([1, 3], run.stderr).toContain(run.code);
    const report = resultsDocument.parse(JSON.parse(readFileSync(join(reports, 'results.json'), 'utf8')));
    expect(report.hosts.map((h) => h.connection.ok)).toEqual([true, true, true, true]);
    for (const name of ['exact', 'over', 'exact-fraction', 'over-fraction']) {
      const snapshot = JSON.parse(readFileSync(join(reports, 'facts', `${name}.json`), 'utf8'));
      expect(snapshot.script, name).toContain(`| head -c ${LIMIT + 1}\n`);
      expect(snapshot.script, name).not.toMatch(/head -c \d+\./);
      const etcHosts = snapshot.outputs.find((o: { probe: string }) => o.probe === 'etcHosts');
      expect(etcHosts.exitCode, name).toBe(0);
      const mapping = report.results.find((r) => r.host === name && r.check === 'hosts.exact')!;
      if (name.startsWith('exact')) {
        expect(etcHosts.truncated, name).toBeUndefined();
        expect(Buffer.byteLength(etcHosts.stdout), name).toBe(LIMIT);
        // Read whole and judged: the file maps 10.0.0.101 to compute1, not to this host's name.
        expect(mapping.status, name).toBe('fail');
      } else {
        expect(etcHosts.truncated, name).toBe(true);
        expect(mapping).toMatchObject({
          status: 'error',
          message: expect.stringContaining('output exceeded the per-probe limit (maxProbeOutputMiB)'),
        });
      }
    }
  }, 120_000);

  it('labspec bundle --max-probe-output-mib with a fraction cuts at whole bytes too', () => {
    const bundle = labspec(['bundle', '--role', 'compute', '--max-probe-output-mib', '0.50000001']);
    expect(bundle.code, bundle.stderr).toBe(0);
    expect(bundle.stdout).toContain(`| head -c ${LIMIT + 1}\n`);
    expect(bundle.stdout).not.toMatch(/head -c \d+\./);
  });
});
