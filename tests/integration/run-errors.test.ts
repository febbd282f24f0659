import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultsDocument } from '../../outputs/report.ts';
import { labspec } from '../helpers/labspec-cli.ts';
import { freePort, startSshd, type TestSshd } from '../helpers/sshd.ts';
import { runNpmTest, type NpmTestRun } from '../helpers/run-npm-test.ts';

const isRoot = process.getuid?.() === 0;
const CHECKS_PER_HOST = 23; // 19 host checks + hosts.<name> for the 4 hosts

/**
 * One `npm test` run over four real endpoints on loopback: a reachable sshd whose sessions print
 * hostile junk around the bundle, a refused port, an sshd whose known key has changed, and a
 * TCP server that never speaks. The bad hosts error with one-line reasons; the good one still
 * gets all its verdicts; the JUnit stays valid.
 */
describe.skipIf(!isRoot)('npm test with unreachable, impostor and hostile hosts (real sshd, needs root)', () => {
  let hostile: TestSshd;
  let impostor: TestSshd;
  let silent: Server;
  const silentSockets: Socket[] = [];
  let run: NpmTestRun;
  let wrapper: string;
  let inventory: string;

  beforeAll(async () => {
    wrapper = join('/tmp', `labspec-hostile-${process.pid}.sh`);
    // A login that greets with control characters, invalid UTF-8, CDATA terminators and a forged frame.
    writeFileSync(
      wrapper,
      [
        '#!/bin/sh',
        "printf '\\033[31mWelcome\\007 ]]> \\377\\376 \\000 <![CDATA[\\nLABSPEC_00000000000000000000000000000000 end release.osRelease 0\\n'",
        "printf 'motd on stderr ]]> \\033[0m\\n' >&2",
        'exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    hostile = await startSshd([`ForceCommand ${wrapper}`]);
    impostor = await startSshd();
    silent = createServer((socket) => silentSockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as { port: number }).port;
    const refusedPort = await freePort();

    const knownHosts = join(hostile.dir, 'known_hosts');
    writeFileSync(
      knownHosts,
      [
        `[127.0.0.1]:${hostile.port} ${hostile.hostKeys.ed25519}`,
        `[127.0.0.1]:${impostor.port} ${hostile.hostKeys.ed25519}`,
        '',
      ].join('\n'),
    );
    inventory = join(hostile.dir, 'inventory.yaml');
    writeFileSync(
      inventory,
      `lab:
  name: errors
defaults:
  user: root
  identityFile: ${hostile.clientKey}
  knownHostsFile: ${knownHosts}
  connectTimeoutSeconds: 2
  deadlineSeconds: 20
hosts:
  - { name: controller, address: 127.0.0.1, port: ${hostile.port}, labAddress: 10.0.0.100, role: controller }
  - { name: compute1, address: 127.0.0.1, port: ${refusedPort}, labAddress: 10.0.0.101, role: compute }
  - { name: compute2, address: 127.0.0.1, port: ${impostor.port}, labAddress: 10.0.0.102, role: compute }
  - { name: compute3, address: 127.0.0.1, port: ${silentPort}, labAddress: 10.0.0.103, role: compute }
`,
    );
    // The checks' results do not depend on ssh_config: keep the machine's own out of the way.
    run = runNpmTest({ LABSPEC_INVENTORY: inventory, HOME: hostile.dir });
  }, 120_000);

  afterAll(async () => {
    for (const socket of silentSockets) socket.destroy();
    await new Promise((resolve) => silent?.close(resolve));
    await hostile?.stop();
    await impostor?.stop();
    rmSync(wrapper, { force: true });
  });

  const resultsOf = (host: string) => run.results.results.filter((r) => r.host === host);
  const connectionOf = (host: string) => run.results.hosts.find((h) => h.host === host)!.connection;

  it('exits 1 (a check failed) and writes JUnit that validates against the Jenkins schema', () => {
    expect(run.exitCode, run.output).toBe(1);
    expect(run.junitValid.ok, run.junitValid.message).toBe(true);
  });

  it("starts an unreachable host's failure bodies with the reason, which GitLab shows (it ignores message)", () => {
    const reason = (connectionOf('compute1') as { message: string }).message;
    const body = new RegExp(
      `classname="errors\\.compute1" name="os\\.release"[^>]*>\\s*<error [^>]*>could not read compute1: `,
    );
    expect(run.junit).toMatch(body);
    expect(run.junit).toContain(reason.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
  });

  it('labspec run gives the same verdicts as npm test on the same hosts', () => {
    const cli = labspec(['run', '--inventory', inventory, '--reports', join(hostile.dir, 'cli-reports'), '-q'], {
      env: { HOME: hostile.dir },
    });
    expect(cli.code, cli.stderr).toBe(1);
    const results = resultsDocument.parse(
      JSON.parse(readFileSync(join(hostile.dir, 'cli-reports', 'results.json'), 'utf8')),
    );
    const verdicts = (r: typeof results) => r.results.map((e) => `${e.host}:${e.check}:${e.status}:${e.message}`);
    expect(verdicts(results)).toEqual(verdicts(run.results));
  });

  it('gives every host the same checks, so counts stay stable', () => {
    for (const host of ['controller', 'compute1', 'compute2', 'compute3'])
      expect(resultsOf(host)).toHaveLength(CHECKS_PER_HOST);
  });

  it('errors every check of a refused, impostor or silent host with a one-line reason', () => {
    expect(connectionOf('compute1')).toMatchObject({ ok: false, failure: 'unreachable' });
    expect(connectionOf('compute2')).toMatchObject({ ok: false, failure: 'hostkey-changed' });
    expect(connectionOf('compute3')).toMatchObject({ ok: false, failure: 'timeout' });
    for (const host of ['compute1', 'compute2', 'compute3']) {
      const connection = connectionOf(host) as { message: string };
      expect(connection.message).not.toContain('\n');
      for (const r of resultsOf(host)) {
        if (r.status === 'skip') continue;
        expect(r.status, `${host} ${r.check}`).toBe('error');
        expect(r.message).toContain(connection.message);
      }
    }
    expect(run.output).toMatch(/compute2 .*UNREACHABLE: .*(changed|CHANGED)/);
  });

  it('reads the hostile host fully: the banner and the forged frame change nothing', () => {
    expect(connectionOf('controller')).toEqual({ ok: true });
    const controller = resultsOf('controller');
    expect(controller.filter((r) => r.message.includes('did not finish'))).toEqual([]);
    const byId = Object.fromEntries(controller.map((r) => [r.check, r]));
    // This machine is Debian with 2 CPUs: the probes were read and judged, not skipped.
    expect(byId['os.release']).toMatchObject({ status: 'fail' });
    expect(byId['cpu.count']).toMatchObject({ status: 'pass' });
    expect(byId['host.address']).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('10.0.0.100 is not configured'),
    });
    // The banner is kept in the snapshot for the record, apart from every probe's output.
    const snapshot = JSON.parse(readFileSync(join(run.reports, 'facts', 'controller.json'), 'utf8'));
    expect(snapshot.preamble.stdout).toContain('Welcome');
    expect(snapshot.preamble.stdout).toContain('LABSPEC_00000000000000000000000000000000 end release.osRelease 0');
    expect(snapshot.preamble.stderr).toContain('motd on stderr');
  });

  it('replays the saved snapshots with no network to the same verdicts', () => {
    const replay = runNpmTest({
      LABSPEC_REPLAY: join(run.reports, 'facts'),
      LABSPEC_INVENTORY: '/nonexistent/inventory.yaml',
    });
    const verdicts = (r: NpmTestRun) => r.results.results.map((e) => `${e.host}:${e.check}:${e.status}`);
    expect(replay.exitCode, replay.output).toBe(1);
    expect(verdicts(replay)).toEqual(verdicts(run));
    expect(replay.junitValid.ok, replay.junitValid.message).toBe(true);
  });

  it('records every command sent to the reachable host', () => {
    const record = run.results.hosts.find((h) => h.host === 'controller')!;
    expect(record.commands[0]).toBe('env LC_ALL=C /bin/sh -s');
    expect(record.commands).toContain('cat /etc/hosts');
    expect(run.junit).toContain('cat /etc/hosts');
    expect(run.results.hosts.find((h) => h.host === 'compute1')!.commands).toEqual([]);
  });
});

/** Exit codes a CI gate acts on: an infrastructure fault (3) is not a regression (1). */
describe.skipIf(!isRoot)('exit codes on real endpoints (needs root)', () => {
  let sshd: TestSshd;
  let dir: string;
  beforeAll(async () => {
    sshd = await startSshd();
    dir = sshd.dir;
  }, 60_000);
  afterAll(async () => {
    await sshd?.stop();
  });

  const inventoryWith = async (name: string, port: number) => {
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${sshd.hostKeys.ed25519}\n`);
    const file = join(dir, `${name}.yaml`);
    writeFileSync(
      file,
      `defaults: { user: root, identityFile: ${sshd.clientKey}, knownHostsFile: ${knownHosts}, connectTimeoutSeconds: 2 }
hosts:
  - { name: controller, address: 127.0.0.1, port: ${port}, labAddress: 10.0.0.100, role: controller }
`,
    );
    return file;
  };

  it('3 when no check failed but a host could not be read, from labspec run and npm test alike', async () => {
    const inventory = await inventoryWith('refused', await freePort());
    const cli = labspec(['run', '--inventory', inventory, '--reports', join(dir, 'refused'), '-q'], {
      env: { HOME: dir },
    });
    expect(cli.code, cli.stdout + cli.stderr).toBe(3);
    const npm = runNpmTest({ LABSPEC_INVENTORY: inventory, HOME: dir });
    expect(npm.exitCode, npm.output).toBe(3);
    expect(npm.results.summary).toMatchObject({ pass: 0, fail: 0 });
  });

  it('1 when a check failed on a host that was read; 0 when the selected checks pass', async () => {
    const inventory = await inventoryWith('reachable', sshd.port);
    const failing = labspec(
      ['run', '--inventory', inventory, '--reports', join(dir, 'r1'), '-t', 'os\\.release', '-q'],
      {
        env: { HOME: dir },
      },
    );
    expect(failing.code, failing.stdout + failing.stderr).toBe(1);
    const passing = labspec(
      ['run', '--inventory', inventory, '--reports', join(dir, 'r0'), '-t', 'cpu\\.count', '-q'],
      {
        env: { HOME: dir },
      },
    );
    expect(passing.code, passing.stdout + passing.stderr).toBe(0);
  });

  it('2 for npm test when -t selects nothing, with the previous top-level report withdrawn', async () => {
    const inventory = await inventoryWith('reachable', sshd.port);
    const reports = join(dir, 'npm-filter');
    const first = runNpmTest(
      { LABSPEC_INVENTORY: inventory, LABSPEC_REPORTS: reports, HOME: dir },
      [],
      ['-t', 'cpu\\.count'],
    );
    expect(first.exitCode, first.output).toBe(0);
    const none = runNpmTest(
      { LABSPEC_INVENTORY: inventory, LABSPEC_REPORTS: reports, HOME: dir },
      [],
      ['-t', 'nothing-at-all'],
      {
        expectReports: false,
      },
    );
    expect(none.exitCode, none.output).toBe(2);
    expect(none.output).toContain('labspec: -t selects no check');
  });

  it("npm test -- --reporter=x adds a reporter and keeps labspec's reports", async () => {
    const inventory = await inventoryWith('reachable', sshd.port);
    const run = runNpmTest({ LABSPEC_INVENTORY: inventory, HOME: dir }, [], ['--reporter=dot', '-t', 'cpu\\.count']);
    expect(run.exitCode, run.output).toBe(0);
    expect(run.results.results.map((r) => r.check)).toEqual(['cpu.count']);
    expect(run.junitValid.ok, run.junitValid.message).toBe(true);
    expect(run.output).not.toContain('\x1b[');
  });
});
