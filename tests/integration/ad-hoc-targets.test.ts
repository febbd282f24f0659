/**
 * `labspec run --target …` against real sshd on 127.0.0.1: hosts named on the command line instead of an inventory,
 * the private key from an environment variable, the host key of a fresh build accepted into a throwaway known_hosts
 * or given by the builder, and the checks chosen with --only, --skip, the inventory's checks and the image profile.
 */
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFamily, REGISTRY } from '../../checks/registry.ts';
import { resultsDocument, type RunReport } from '../../outputs/report.ts';
import { reportDifferences } from '../helpers/compare-results.ts';
import { labspec, type CliRun } from '../helpers/labspec-cli.ts';
import { startSshd, type TestSshd } from '../helpers/sshd.ts';

const isRoot = process.getuid?.() === 0;

/** The checks the image profile leaves out, as the registry says, with their reasons. */
const IMAGE_SKIPS = new Map(
  REGISTRY.map((entry) => (isFamily(entry) ? entry.template : entry)).flatMap((check) =>
    check.image.judged ? [] : [[check.id, check.image.reason] as const],
  ),
);

describe.skipIf(!isRoot)('labspec run --target (real sshd, needs root)', () => {
  let controller: TestSshd;
  let compute: TestSshd;
  let work: string;
  let counter = 0;
  /** A known_hosts that knows both servers by their ed25519 keys. */
  let knownHosts: string;

  beforeAll(async () => {
    controller = await startSshd();
    compute = await startSshd();
    work = mkdtempSync(join(process.env.LABSPEC_TEST_SCRATCH ?? tmpdir(), 'ad-hoc-'));
    // One CI key for the whole lab, as a pipeline has: the controller's client key is let into compute1 too.
    appendFileSync(join(compute.dir, 'authorized_keys'), readFileSync(`${controller.clientKey}.pub`));
    knownHosts = join(work, 'known_hosts');
    writeFileSync(
      knownHosts,
      `[127.0.0.1]:${controller.port} ${controller.hostKeys.ed25519}\n[127.0.0.1]:${compute.port} ${compute.hostKeys.ed25519}\n`,
    );
  }, 60_000);

  afterAll(async () => {
    await controller?.stop();
    await compute?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const url = (sshd: TestSshd) => `ssh://root@127.0.0.1:${sshd.port}`;

  /** labspec run in a fresh folder, with no ssh_config or agent of the machine's own. */
  function run(args: string[], env: Record<string, string> = {}): CliRun & { dir: string; report: RunReport | null } {
    const dir = join(work, `run-${++counter}`);
    const result = labspec(['run', '--reports', join(dir, 'reports'), ...args], {
      cwd: work,
      env: { HOME: controller.dir, SSH_AUTH_SOCK: '', ...env },
    });
    const path = join(dir, 'reports', 'results.json');
    const report = existsSync(path) ? resultsDocument.parse(JSON.parse(readFileSync(path, 'utf8'))) : null;
    return { ...result, dir, report };
  }

  const statusOf = (report: RunReport | null, host: string | null, check: string) =>
    report?.results.find((r) => r.host === host && r.check === check)?.status;

  it('one --target is a lab of one host: read over SSH, judged, reported like an inventory host', () => {
    const result = run([
      '--target',
      url(compute),
      '--role',
      'compute',
      '--name',
      'compute1',
      '--lab-address',
      '10.0.0.101',
      '--identity',
      compute.clientKey,
      '--known-hosts',
      knownHosts,
    ]);
    // This machine is no prepared CentOS host: checks fail (exit 1), none errors for want of a connection.
    expect(result.code, result.stderr).toBe(1);
    const { hosts, results } = result.report!;
    expect(hosts).toHaveLength(1);
    expect(hosts[0]).toMatchObject({
      lab: 'default',
      host: 'compute1',
      address: '127.0.0.1',
      labAddress: '10.0.0.101',
      role: 'compute',
      transport: `ssh root@127.0.0.1:${compute.port}`,
      connection: { ok: true },
    });
    expect(statusOf(result.report, 'compute1', 'cpu.count')).toBe('pass');
    expect(results.find((r) => r.check === 'hosts.compute1')?.expected).toBe('10.0.0.101 compute1');
    expect(readdirSync(join(result.dir, 'reports', 'facts'))).toEqual(['compute1.json']);
  });

  it('several --targets make one lab: cross-host checks judge them together', () => {
    const result = run([
      '--identity',
      controller.clientKey,
      '--known-hosts',
      knownHosts,
      '--target',
      url(controller),
      '--role',
      'controller',
      '--name',
      'controller',
      '--lab-address',
      '10.0.0.100',
      '--target',
      url(compute),
      '--name',
      'compute1',
      '--role',
      'compute',
      '--lab-address',
      '10.0.0.101',
    ]);
    expect(result.code, result.stderr).toBe(1);
    const report = result.report!;
    expect(report.hosts.map((h) => [h.host, h.role, h.labAddress, h.connection.ok])).toEqual([
      ['controller', 'controller', '10.0.0.100', true],
      ['compute1', 'compute', '10.0.0.101', true],
    ]);
    expect(new Set(report.results.map((r) => r.lab))).toEqual(new Set(['default']));
    // Each host is checked for the other's /etc/hosts line, and the lab as a whole is judged (not errored).
    expect(report.results.filter((r) => r.check === 'hosts.compute1').map((r) => r.host)).toEqual([
      'controller',
      'compute1',
    ]);
    expect(statusOf(report, null, 'topology.hosts')).toBe('fail');
    expect(statusOf(report, null, 'topology.ntp')).not.toBe('skip');
  });

  it('the private key from an environment variable (--identity-env, privateKeyEnv), never written anywhere', () => {
    const key = readFileSync(compute.clientKey, 'utf8');
    const keyBody = key.split('\n')[1]!;
    const target = ['--target', url(compute), '--role', 'compute', '--name', 'compute1', '--lab-address', '10.0.0.101'];
    const flag = run([...target, '--identity-env', 'LAB_SSH_KEY', '--known-hosts', knownHosts], { LAB_SSH_KEY: key });
    expect(flag.code, flag.stderr).toBe(1);
    expect(flag.report!.hosts[0]!.connection).toEqual({ ok: true });

    // Per host in an inventory: a key that works, a variable that is not set, one that holds no key.
    const inventory = join(work, 'private-key-env.yaml');
    const host = (name: string, variable: string) =>
      `  - { name: ${name}, address: 127.0.0.1, port: ${compute.port}, labAddress: 10.0.0.101, role: compute, privateKeyEnv: ${variable} }\n`;
    writeFileSync(
      inventory,
      `defaults: { user: root, knownHostsFile: ${knownHosts} }\nhosts:\n` +
        host('compute1', 'LAB_SSH_KEY') +
        host('compute2', 'LAB_UNSET_KEY') +
        host('compute3', 'LAB_NOT_A_KEY'),
    );
    const fromInventory = run(['--inventory', inventory], { LAB_SSH_KEY: key, LAB_NOT_A_KEY: 'not a key at all' });
    expect(fromInventory.code, fromInventory.stderr).toBe(1);
    const [good, unset, garbage] = fromInventory.report!.hosts.map((h) => h.connection);
    expect(good).toEqual({ ok: true });
    expect(unset).toMatchObject({
      ok: false,
      failure: 'config',
      message: expect.stringContaining('private key variable LAB_UNSET_KEY is not set'),
    });
    expect(garbage).toMatchObject({
      ok: false,
      failure: 'config',
      message: expect.stringContaining('the private key in LAB_NOT_A_KEY is not a usable private key'),
    });

    for (const written of [flag, fromInventory]) {
      expect(written.stdout + written.stderr).not.toContain(keyBody);
      expect(written.stdout + written.stderr).not.toContain('not a key at all');
      for (const file of filesUnder(written.dir)) {
        const text = readFileSync(file, 'utf8');
        expect(text, file).not.toContain(keyBody);
        expect(text, file).not.toContain('not a key at all');
      }
    }
  });

  it('--accept-new-host-key records the fresh build key in a throwaway --known-hosts file, and nowhere else', () => {
    const throwaway = join(work, 'fresh', 'known_hosts');
    const target = ['--target', url(compute), '--role', 'compute', '--name', 'compute1', '--lab-address', '10.0.0.101'];
    const result = run([
      ...target,
      '--identity',
      compute.clientKey,
      '--accept-new-host-key',
      '--known-hosts',
      throwaway,
    ]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.report!.hosts[0]!.connection).toEqual({ ok: true });
    expect(readFileSync(throwaway, 'utf8')).toBe(`[127.0.0.1]:${compute.port} ${compute.hostKeys.ed25519}\n`);
    expect(result.report!.hosts[0]!.notes.join('\n')).toMatch(
      /host key ssh-ed25519 SHA256:\S+ recorded in .*\(accept-new\)/,
    );
    expect(result.stdout).toContain('recorded in');
    expect(existsSync(join(controller.dir, '.ssh', 'known_hosts'))).toBe(false);

    // The key now recorded, another server on that address is refused: accept-new accepts only the unknown.
    const other = join(work, 'fresh', 'other_known_hosts');
    writeFileSync(other, `[127.0.0.1]:${compute.port} ${controller.hostKeys.ed25519}\n`);
    const changed = run([...target, '--identity', compute.clientKey, '--accept-new-host-key', '--known-hosts', other]);
    expect(changed.code).toBe(3);
    expect(changed.report!.hosts[0]!.connection).toMatchObject({ ok: false, failure: 'hostkey-changed' });

    // Without --accept-new-host-key an unknown key is refused; without --known-hosts the flag is a usage error.
    const unknown = run([...target, '--identity', compute.clientKey, '--known-hosts', join(work, 'fresh', 'empty')]);
    expect(unknown.code).toBe(3);
    expect(unknown.report!.hosts[0]!.connection).toMatchObject({ ok: false, failure: 'hostkey-unknown' });
    const noFile = run([...target, '--identity', compute.clientKey, '--accept-new-host-key']);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('--accept-new-host-key records the key it accepts');
  });

  it('--host-key: the key the builder passes is the only one accepted; another server is refused', () => {
    const target = (name: string, key: string) => [
      '--target',
      url(compute),
      '--role',
      'compute',
      '--name',
      name,
      '--lab-address',
      '10.0.0.101',
      '--host-key',
      key,
    ];
    const never = join(work, 'never-written');
    const result = run([
      '--identity',
      compute.clientKey,
      '--known-hosts',
      never,
      ...target('ed25519', `${compute.hostKeys.ed25519} root@build`),
      // The rsa key of the same host: the host is asked for that type first and offers it.
      ...target('rsa', compute.hostKeys.rsa),
      ...target('impostor', controller.hostKeys.ed25519),
    ]);
    expect(result.code, result.stderr).toBe(1);
    const [ed25519, rsa, impostor] = result.report!.hosts.map((h) => h.connection);
    expect(ed25519).toEqual({ ok: true });
    expect(rsa).toEqual({ ok: true });
    expect(impostor).toMatchObject({
      ok: false,
      failure: 'hostkey-changed',
      message: expect.stringContaining('HOST KEY MISMATCH'),
    });
    expect(existsSync(never)).toBe(false);

    // An rsa key blob given as ed25519: refused before anything connects.
    const [, rsaBlob] = compute.hostKeys.rsa.split(' ');
    const malformed = run(['--identity', compute.clientKey, ...target('compute1', `ssh-ed25519 ${rsaBlob}`)]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain(`--host-key (target 1, ${url(compute)}): expected a host public key`);
    expect(malformed.report).toBeNull();
  });

  describe('choosing checks', () => {
    /** compute1 alone, as a compute image's pipeline names it; the servers exist only once the tests run. */
    const args = (...more: string[]) => [
      '--identity',
      compute.clientKey,
      '--known-hosts',
      knownHosts,
      '--target',
      url(compute),
      '--role',
      'compute',
      '--name',
      'compute1',
      '--lab-address',
      '10.0.0.101',
      ...more,
    ];

    it('--only and --skip take IDs and globs, repeated or comma-separated; a skip says who chose it', () => {
      const result = run(args('--only', 'cpu.*,host.*', '--only', 'chrony.installed', '--skip', 'host.address'));
      expect(result.code, result.stderr).toBe(1);
      expect(result.report!.results.map((r) => r.check)).toEqual([
        'host.hostname',
        'host.address',
        'cpu.virtualization',
        'cpu.count',
        'chrony.installed',
      ]);
      expect(result.report!.run.checks).toEqual({
        profile: 'full',
        only: ['cpu.*', 'host.*', 'chrony.installed'],
        skip: [{ pattern: 'host.address', reason: 'skipped with --skip host.address', source: '--skip' }],
      });
      const skipped = result.report!.results.find((r) => r.check === 'host.address')!;
      expect(skipped).toMatchObject({ status: 'skip', message: 'skipped with --skip host.address', source: '--skip' });
      expect(result.stdout).toContain('skip host.address on compute1: skipped with --skip host.address');
    });

    it('an unknown ID or a glob that matches nothing is exit 2 before any host is contacted', () => {
      const result = run(args('--only', 'selinux.enforcing', '--skip', 'chrony.*,ntp.*', '--skip', 'hosts.controller'));
      expect(result.code).toBe(2);
      expect(result.stderr.split('\n')[0]).toBe(
        'labspec: --only selinux.enforcing is no check labspec knows; labspec checks lists them; ' +
          '--skip ntp.* matches no check of this run; labspec checks lists them; ' +
          "--skip hosts.controller is not a check of this run's hosts",
      );
      expect(result.report).toBeNull();
      expect(result.stderr).not.toContain('gathered');
    });

    it("the inventory's checks.skip: its reason is the skip message in results.json and JUnit; a bad ID is located", () => {
      const inventory = join(work, 'skips.yaml');
      writeFileSync(
        inventory,
        [
          `defaults: { user: root, identityFile: ${compute.clientKey}, knownHostsFile: ${knownHosts} }`,
          'checks:',
          '  skip:',
          '    - id: host.address',
          '      reason: the build VM is behind NAT; its lab address comes at deployment',
          '    - id: "firewalld.*"',
          '      reason: the base image ships firewalld on purpose <until ticket 42>',
          'hosts:',
          `  - { name: compute1, address: 127.0.0.1, port: ${compute.port}, labAddress: 10.0.0.101, role: compute }`,
          '',
        ].join('\n'),
      );
      const result = run(['--inventory', inventory]);
      expect(result.code, result.stderr).toBe(1);
      const entry = result.report!.results.find((r) => r.check === 'host.address')!;
      expect(entry).toMatchObject({
        status: 'skip',
        message: 'the build VM is behind NAT; its lab address comes at deployment',
        source: `${inventory}:4 checks.skip[0].id`,
      });
      expect(statusOf(result.report, 'compute1', 'firewalld.stopped')).toBe('skip');
      const junit = readFileSync(join(result.dir, 'reports', 'junit.xml'), 'utf8');
      expect(junit).toMatch(
        /name="host\.address"[^>]*>\s*<skipped>the build VM is behind NAT; its lab address comes at deployment<\/skipped>/,
      );
      expect(junit).toContain('<skipped>the base image ships firewalld on purpose &lt;until ticket 42&gt;</skipped>');

      writeFileSync(inventory, readFileSync(inventory, 'utf8').replace('id: "firewalld.*"', 'id: "firewall.*"'));
      const bad = run(['--inventory', inventory]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(`${inventory}:6 checks.skip[1].id: firewall.* matches no check of this run`);
    });

    it('--profile image on a compute-only image: exactly the registry’s image skips, each with its reason, none errors', () => {
      const result = run(args('--profile', 'image'));
      const skipped = result.report!.results.filter((r) => r.status === 'skip' && r.source === 'profile image');
      expect(new Set(skipped.map((r) => r.check))).toEqual(new Set(IMAGE_SKIPS.keys()));
      for (const r of skipped) expect(r.message).toBe(`not judged on an image: ${IMAGE_SKIPS.get(r.check)}`);
      // Nothing needs a controller that isn't there: no check errors for want of one.
      expect(result.report!.results.filter((r) => r.source === 'inventory')).toEqual([]);
      expect(result.stdout).toContain('skip topology.hosts, topology.ntp on (lab): not judged on an image');

      // The same from the inventory's `profile: image`; --profile full overrides it.
      const inventory = join(work, 'image.yaml');
      writeFileSync(
        inventory,
        `profile: image\ndefaults: { user: root, identityFile: ${compute.clientKey}, knownHostsFile: ${knownHosts} }\n` +
          `hosts:\n  - { name: compute1, address: 127.0.0.1, port: ${compute.port}, labAddress: 10.0.0.101, role: compute }\n`,
      );
      const imageSkips = (r: ReturnType<typeof run>) =>
        r.report!.results.filter((e) => e.source === 'profile image').map((e) => e.check);
      expect(imageSkips(run(['--inventory', inventory]))).toEqual(skipped.map((r) => r.check));
      expect(imageSkips(run(['--inventory', inventory, '--profile', 'full']))).toEqual([]);
    });

    it('--profile image judges host.hostname on a host whose hostname is given (--hostname, hostname:), not on a generic one', () => {
      const machine = hostname();
      const byCheck = (r: ReturnType<typeof run>) => new Map(r.report!.results.map((e) => [e.check, e]));

      // A generic image: --name names it in the lab, nothing says the image carries that name yet.
      const generic = byCheck(run(args('--profile', 'image')));
      expect(generic.get('host.hostname')).toMatchObject({
        status: 'skip',
        source: 'profile image',
        message: `not judged on an image: ${IMAGE_SKIPS.get('host.hostname')}`,
      });
      expect(IMAGE_SKIPS.get('host.hostname')).toContain('--hostname');

      // Built with its final hostname: judged against it, the rest of the profile unchanged.
      const own = run(args('--hostname', machine, '--profile', 'image'));
      const built = byCheck(own);
      expect(built.get('host.hostname')).toMatchObject({ status: 'pass', expected: machine });
      expect(own.report!.results.filter((r) => r.source === 'profile image').map((r) => r.check)).toEqual([
        'host.address',
        'chrony.source',
        'topology.hosts',
        'topology.ntp',
      ]);
      const wrong = byCheck(run(args('--hostname', 'controller', '--profile', 'image')));
      expect(wrong.get('host.hostname')).toMatchObject({
        status: 'fail',
        expected: 'controller',
        message: `the running hostname is ${machine}`,
        fix: 'hostnamectl set-hostname controller',
      });

      // The same from an inventory's hostname:, and a replay of that run judges it again from the snapshot.
      const inventory = join(work, 'image-hostname.yaml');
      writeFileSync(
        inventory,
        `profile: image\ndefaults: { user: root, identityFile: ${compute.clientKey}, knownHostsFile: ${knownHosts} }\n` +
          `hosts:\n  - { name: compute1, hostname: ${machine}, address: 127.0.0.1, port: ${compute.port}, labAddress: 10.0.0.101, role: compute }\n`,
      );
      const fromFile = run(['--inventory', inventory]);
      expect(byCheck(fromFile).get('host.hostname')).toMatchObject({ status: 'pass', expected: machine });
      const snapshot = JSON.parse(readFileSync(join(fromFile.dir, 'reports', 'facts', 'compute1.json'), 'utf8'));
      expect(snapshot.host).toMatchObject({ name: 'compute1', hostname: machine });
      const replayed = join(work, `run-${++counter}`);
      labspec(['replay', join(fromFile.dir, 'reports'), '--reports', replayed], { cwd: work });
      const replay = resultsDocument.parse(JSON.parse(readFileSync(join(replayed, 'results.json'), 'utf8')));
      expect(reportDifferences(fromFile.report!, replay)).toEqual([]);

      const bad = run(args('--hostname', 'not_a_label'));
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(`--hostname (target 1, ${url(compute)}): expected a hostname label`);
    });

    it('a replay judges the checks the run chose; the command line replaces that choice whole', () => {
      const live = run(args('--profile', 'image', '--skip', 'cpu.count'));
      expect(live.code, live.stderr).toBe(1);
      const reports = join(live.dir, 'reports');
      const replay = (from: string, ...more: string[]) => {
        const dir = join(work, `run-${++counter}`);
        const result = labspec(['replay', from, '--reports', dir, ...more], { cwd: work });
        const path = join(dir, 'results.json');
        const report = existsSync(path) ? resultsDocument.parse(JSON.parse(readFileSync(path, 'utf8'))) : null;
        return { ...result, report, dir };
      };
      const skips = (report: RunReport | null) =>
        report!.results.filter((r) => r.status === 'skip' && r.source !== '').map((r) => `${r.check} (${r.source})`);
      expect(skips(live.report)).toEqual([
        'host.hostname (profile image)',
        'host.address (profile image)',
        'cpu.count (--skip)',
        'chrony.source (profile image)',
        'topology.hosts (profile image)',
        'topology.ntp (profile image)',
      ]);

      // The reports folder, the run folder or the facts folder: the same verdicts, skips and reasons as the run.
      const runFolder = join(reports, 'runs', live.report!.run.id);
      const replays = [reports, runFolder, join(runFolder, 'facts')].map((from) => replay(from));
      for (const same of replays) {
        expect(same.code, same.stderr).toBe(live.code);
        expect(same.report!.run).toMatchObject({ kind: 'replay', gatheredBy: live.report!.run.id });
        expect(same.report!.run.checks).toEqual(live.report!.run.checks);
        expect(reportDifferences(live.report!, same.report!)).toEqual([]);
      }

      // Given on the command line, the choice replaces the run's whole: --profile full judges every check, the
      // skipped cpu.count too; --skip alone is the default profile with that skip.
      const full = replay(reports, '--profile', 'full');
      expect(skips(full.report)).toEqual([]);
      expect(full.report!.run.checks).toEqual({ profile: 'full', only: null, skip: [] });
      for (const check of ['host.hostname', 'host.address', 'cpu.count', 'chrony.source', 'topology.ntp'])
        expect(full.report!.results.find((r) => r.check === check)?.status, check).not.toBe('skip');
      // chrony.source and topology.ntp have no controller to judge against in a lab of one compute: errors.
      expect(full.code).toBe(1);
      const skipOnly = replay(reports, '--skip', 'host.*');
      expect(skips(skipOnly.report)).toEqual(['host.hostname (--skip)', 'host.address (--skip)']);

      // A replay of the replay still judges what the first run chose.
      const again = replay(replays[0]!.dir);
      expect(again.report!.run.checks).toEqual(live.report!.run.checks);
      expect(reportDifferences(live.report!, again.report!)).toEqual([]);
    });

    it("a replay refuses a results.json that is not its snapshots' run; without one it judges every check", () => {
      const first = run(args('--profile', 'image'));
      const second = run(args('--skip', 'cpu.count'));
      const facts = join(first.dir, 'reports', 'runs', first.report!.run.id, 'facts');
      // Another run's results next to these snapshots.
      const mixed = join(work, 'mixed');
      cpSync(facts, join(mixed, 'facts'), { recursive: true });
      cpSync(join(second.dir, 'reports', 'results.json'), join(mixed, 'results.json'));
      const refused = labspec(['replay', mixed, '--reports', join(mixed, 'out')], { cwd: work });
      expect(refused.code).toBe(2);
      expect(refused.stderr.split('\n')[0]).toBe(
        `labspec: ${join(mixed, 'results.json')}: the results of run ${second.report!.run.id}, but compute1's snapshot is of run ${first.report!.run.id}; give --profile, --only or --skip to choose the checks`,
      );
      const chosen = labspec(['replay', mixed, '--reports', join(mixed, 'chosen'), '--profile', 'image'], {
        cwd: work,
      });
      expect(chosen.code, chosen.stderr).toBe(first.code);

      // The snapshots alone: nothing recorded to follow, every check judged.
      const alone = join(work, 'alone');
      cpSync(facts, alone, { recursive: true });
      const judged = labspec(['replay', alone, '--reports', join(work, 'alone-out')], { cwd: work });
      const report = resultsDocument.parse(JSON.parse(readFileSync(join(work, 'alone-out', 'results.json'), 'utf8')));
      expect(judged.code).toBe(1);
      expect(report.run.checks).toEqual({ profile: 'full', only: null, skip: [] });
      expect(report.results.filter((r) => r.status === 'skip' && r.source !== '')).toEqual([]);
    });
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}
