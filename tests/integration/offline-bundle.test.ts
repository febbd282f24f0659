/**
 * `labspec bundle` and `labspec grade` end to end: bundles run by plain sh and bash on this machine
 * and over a real sshd (`ssh HOST sh -s < bundle.sh > capture.txt`), graded, and compared with a live
 * `labspec run` of the same hosts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultsDocument } from '../../outputs/report.ts';
import { reportDifferences } from '../helpers/compare-results.ts';
import { labspec } from '../helpers/labspec-cli.ts';
import { startSshd, type TestSshd } from '../helpers/sshd.ts';

const isRoot = process.getuid?.() === 0;
const scratch = mkdtempSync(join(process.env.LABSPEC_TEST_SCRATCH ?? tmpdir(), 'offline-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const results = (reports: string) =>
  resultsDocument.parse(JSON.parse(readFileSync(join(reports, 'results.json'), 'utf8')));
let counter = 0;
const path = (name: string) => join(scratch, `${++counter}-${name}`);

function write(name: string, text: string | Buffer): string {
  const file = path(name);
  writeFileSync(file, text);
  return file;
}

/** `labspec bundle ARGS > FILE`. */
function bundle(args: string[]): string {
  const made = labspec(['bundle', ...args]);
  expect(made.stderr).toBe('');
  expect(made.code).toBe(0);
  return write('bundle.sh', made.stdout);
}

/** Runs a bundle with a shell (`sh FILE`, or `sh -s` with the file on stdin) and keeps its stdout, as a user would. */
function capture(bundleFile: string, shell: string[]): string {
  const viaStdin = shell.at(-1) === '-s';
  const ran = spawnSync(shell[0]!, viaStdin ? shell.slice(1) : [...shell.slice(1), bundleFile], {
    input: viaStdin ? readFileSync(bundleFile) : '',
    timeout: 60_000,
  });
  expect(ran.status, ran.stderr.toString()).toBe(0);
  return write('capture.txt', ran.stdout);
}

/** This machine as a two-host lab, read live by the local transport (`/bin/sh -c 'env LC_ALL=C /bin/sh -s'`). */
const LOCAL_LAB = `lab: { name: here }
defaults: { transport: local }
hosts:
  - { name: controller, address: 10.0.0.100, role: controller }
  - { name: compute1, address: 10.0.0.101, role: compute }
`;

describe('labspec bundle and grade: the command line', () => {
  it('labspec --help lists both; each has its own --help', () => {
    const main = labspec(['--help']);
    expect(main.stdout).toMatch(/labspec bundle {2}--role ROLE/);
    expect(main.stdout).toMatch(/labspec grade {3}CAPTURE/);
    for (const command of ['bundle', 'grade']) {
      const help = labspec([command, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toContain(`labspec ${command} — `);
    }
  });

  it.each([
    [['bundle'], 'bundle needs --role controller|compute, or --inventory FILE --name HOST'],
    [['bundle', '--role', 'storage'], '--role: expected controller or compute, got "storage"'],
    [
      ['bundle', '--role', 'controller', '--peer', '10.0.0.1; reboot'],
      '--peer: expected an IPv4 address, got "10.0.0.1; reboot"',
    ],
    [
      ['bundle', '--role', 'compute', '--peer', '10.0.0.1'],
      "--peer: only a controller's chronyd is asked about its compute nodes",
    ],
    [
      ['bundle', '--role', 'controller', '--sync-source', '10.0.0.1'],
      "--sync-source: only a compute node's chronyd syncs from the controller",
    ],
    [
      ['bundle', '--role', 'compute', '--sync-source', '10.0.0.1;reboot'],
      '--sync-source: expected an IPv4 address, got "10.0.0.1;reboot"',
    ],
    [
      ['bundle', '--role', 'compute', '--chrony-sync-wait', '1000'],
      '--chrony-sync-wait: expected whole seconds from 0 to 120, got "1000"',
    ],
    [
      ['bundle', '--role', 'compute', '--name', 'no_underscores'],
      '--name: expected a host name such as compute1, got "no_underscores"',
    ],
    [['bundle', '--role', 'compute', 'extra'], 'bundle takes no arguments, got "extra"'],
    [['grade'], 'grade needs the capture file(s) to grade: labspec grade CAPTURE...'],
    [
      ['grade', '--name', 'a', 'x.txt', 'y.txt'],
      '--name before the first capture: with several captures, put it after the one it is about',
    ],
    [['grade', 'x.txt', '--name', 'a', '--name', 'b'], '--name given twice for x.txt'],
    [['grade', 'x.txt', '--role', 'storage'], '--role: expected controller or compute, got "storage"'],
    [
      ['grade', 'x.txt', '--lab-address', '10.0.0.300'],
      '--lab-address: expected an IPv4 address such as 10.0.0.101, got "10.0.0.300"',
    ],
    // --address is the older name of --lab-address: one option, given once per capture.
    [
      ['grade', 'x.txt', '--address', '10.0.0.300'],
      '--lab-address: expected an IPv4 address such as 10.0.0.101, got "10.0.0.300"',
    ],
    [['grade', 'x.txt', '--lab-address', '10.0.0.1', '--address', '10.0.0.1'], '--address given twice for x.txt'],
    [
      ['bundle', '--role', 'compute', '--lab-address', '10.0.0.1', '--address', '10.0.0.1'],
      '--lab-address and --address are one option (--address is its older name): give one',
    ],
    [['grade', 'x.txt', '--name', 'compute 1'], '--name: expected a host name such as compute1, got "compute 1"'],
  ])('%j is a usage error: exit 2 and one line', (args, message) => {
    const run = labspec(args);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe(`labspec: ${message}`);
  });

  it('with an inventory, the host comes from it and the flags it settles are refused', () => {
    const inventory = write('lab.yaml', LOCAL_LAB);
    for (const [args, message] of [
      [['--name', 'nobody'], `--name nobody: no such host in ${inventory}`],
      [[], `give the host with --name HOST (a host of ${inventory})`],
      [['--name', 'compute1', '--role', 'controller'], `--role controller: compute1 is a compute in ${inventory}`],
      [
        ['--name', 'controller', '--peer', '10.0.0.9'],
        '--peer: comes from the inventory when --inventory is given; leave it out',
      ],
    ] as const) {
      const run = labspec(['bundle', '--inventory', inventory, ...args]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.split('\n')[0]).toBe(`labspec: ${message}`);
    }
    const made = labspec(['bundle', '--inventory', inventory, '--name', 'controller']);
    expect(made.stdout).toMatch(
      /'labspec-capture 1 .* role=controller peers=10\.0\.0\.101 .* lab=here name=controller address=10\.0\.0\.100'/,
    );
    const compute = labspec(['bundle', '--inventory', inventory, '--name', 'compute1']);
    expect(compute.stdout).toMatch(/'labspec-capture 1 .* role=compute peers= sync-source=10\.0\.0\.100 /);
    expect(compute.stdout).toContain('chronyc -n sources 2>/dev/null | { c=5;');
  });

  it('a capture that cannot be used, or whose host cannot be named, is exit 2 naming the file; no report is left to publish', () => {
    const reports = path('reports');
    const good = capture(bundle(['--role', 'compute', '--chrony-sync-wait', '0']), ['sh']);
    const garbage = write('garbage.txt', 'Packer: build failed\n');
    for (const [args, message] of [
      [
        [garbage],
        `${garbage}: no "labspec-capture" header line: not the output of a labspec bundle, or cut before it began`,
      ],
      [[path('missing.txt')], `${join(scratch, `${counter}-missing.txt`)}: cannot read the capture (ENOENT)`],
      [[scratch], `${scratch}: not a regular file; give the file the bundle's output went to`],
      [[good], `${good}: no host name in the capture: give --name NAME after the capture`],
      [
        [good, '--name', 'compute1'],
        `${good}: no lab address in the capture: give --lab-address IP after the capture (the address compute1 has, or will have, on the lab network)`,
      ],
      [
        [good, '--name', 'compute1', '--address', '10.0.0.101', '--role', 'controller'],
        `${good}: --role controller, but the bundle was made for a compute (the probes differ by role)`,
      ],
      [
        [good, '--name', 'c', '--address', '10.0.0.101', good, '--name', 'c', '--address', '10.0.0.102'],
        `${good}: default/c is also the host of ${good}`,
      ],
    ] as const) {
      const run = labspec(['grade', ...args, '--reports', reports]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toBe(`labspec: ${message}\n`);
      expect(existsSync(join(reports, 'results.json'))).toBe(false);
    }
  });
});

describe('the same machine read live and through bundles: the same report', () => {
  const inventory = write('lab.yaml', LOCAL_LAB);
  let live: ReturnType<typeof results>;
  const liveReports = path('live');
  beforeAll(() => {
    const run = labspec(['run', '--inventory', inventory, '--reports', liveReports, '-q']);
    expect([0, 1, 3]).toContain(run.code);
    live = results(liveReports);
  });

  it.each([
    ['dash, the file on stdin', ['sh', '-s']],
    ['bash, the file as argument', ['bash']],
  ])('%s', (_, shell) => {
    const controller = capture(bundle(['--inventory', inventory, '--name', 'controller']), shell);
    const compute = capture(bundle(['--inventory', inventory, '--name', 'compute1']), shell);
    const reports = path('graded');
    // The captures in the other order: reported in inventory order all the same.
    const run = labspec(['grade', compute, controller, '--inventory', inventory, '--reports', reports, '-q']);
    const graded = results(reports);
    expect(reportDifferences(live, graded)).toEqual([]);
    expect(graded.hosts.map((h) => h.transport)).toEqual([`capture ${controller}`, `capture ${compute}`]);
    expect(run.code).toBe(live.summary.fail > 0 ? 1 : live.summary.error > 0 ? 3 : 0);
    expect(graded.results.length).toBeGreaterThan(40);
    const snapshot = JSON.parse(readFileSync(join(reports, 'facts', 'compute1.json'), 'utf8'));
    expect(snapshot).toMatchObject({ command: 'env LC_ALL=C /bin/sh -s', connection: { ok: true } });
    const liveSnapshot = JSON.parse(readFileSync(join(liveReports, 'facts', 'compute1.json'), 'utf8'));
    const parts = (s: { outputs: Array<{ probe: string; part: string; command: string }> }) =>
      s.outputs.map((o) => `${o.probe}.${o.part}: ${o.command}`);
    expect(parts(snapshot)).toEqual(parts(liveSnapshot));
  });

  it('without an inventory: names and addresses from the bundles, the tutorial lab settings; a replay agrees', () => {
    const controller = capture(
      bundle([
        '--role',
        'controller',
        '--name',
        'controller',
        '--address',
        '10.0.0.100',
        '--lab',
        'here',
        '--peer',
        '10.0.0.101',
      ]),
      ['sh'],
    );
    const compute = capture(bundle(['--role', 'compute', '--lab', 'here', '--sync-source', '10.0.0.100']), ['sh']);
    const reports = path('graded');
    labspec([
      'grade',
      controller,
      compute,
      '--name',
      'compute1',
      '--address',
      '10.0.0.101',
      '--reports',
      reports,
      '-q',
    ]);
    expect(reportDifferences(live, results(reports))).toEqual([]);
    const replayed = path('replayed');
    labspec(['replay', reports, '--reports', replayed, '-q']);
    expect(reportDifferences(live, results(replayed))).toEqual([]);
  });

  it('without an inventory, the wait the capture recorded is the one the report states', () => {
    const controller = capture(
      bundle(['--role', 'controller', '--name', 'controller', '--lab-address', '10.0.0.100', '--peer', '10.0.0.101']),
      ['sh'],
    );
    const compute = capture(
      bundle([
        '--role',
        'compute',
        '--name',
        'compute1',
        '--lab-address',
        '10.0.0.101',
        '--sync-source',
        '10.0.0.100',
        '--chrony-sync-wait',
        '0',
      ]),
      ['sh'],
    );
    const reports = path('graded-no-wait');
    labspec(['grade', controller, compute, '--reports', reports, '-q']);
    // chrony.source states the wait from these settings (this machine has no chronyd to judge it by).
    const snapshot = JSON.parse(readFileSync(join(reports, 'facts', 'compute1.json'), 'utf8'));
    expect(snapshot.labSettings.chronySyncWaitSeconds).toBe(0);
  });

  it('an image alone, with the image profile: the same report as a live run of --target local', () => {
    const liveReports = path('live-image');
    const target = ['--target', 'local', '--role', 'compute', '--name', 'compute1', '--lab-address', '10.0.0.101'];
    labspec(['run', ...target, '--profile', 'image', '--skip', 'cpu.count', '--reports', liveReports, '-q']);
    const compute = capture(bundle(['--role', 'compute', '--name', 'compute1', '--address', '10.0.0.101']), ['sh']);
    const reports = path('graded');
    labspec(['grade', compute, '--profile', 'image', '--skip', 'cpu.count', '--reports', reports, '-q']);
    const graded = results(reports);
    expect(reportDifferences(results(liveReports), graded)).toEqual([]);
    const skipped = graded.results.filter((r) => r.status === 'skip').map((r) => r.check);
    expect(skipped).toEqual(expect.arrayContaining(['host.hostname', 'host.address', 'chrony.source', 'cpu.count']));
  });

  it('an image built with its final hostname: grade --hostname judges host.hostname, as run --hostname does', () => {
    const machine = hostname();
    const liveReports = path('live-image');
    const target = ['--target', 'local', '--role', 'compute', '--name', 'compute1', '--lab-address', '10.0.0.101'];
    labspec(['run', ...target, '--hostname', machine, '--profile', 'image', '--reports', liveReports, '-q']);
    const compute = capture(bundle(['--role', 'compute', '--name', 'compute1', '--lab-address', '10.0.0.101']), ['sh']);
    const reports = path('graded');
    labspec(['grade', compute, '--hostname', machine, '--profile', 'image', '--reports', reports, '-q']);
    const graded = results(reports);
    expect(reportDifferences(results(liveReports), graded)).toEqual([]);
    expect(graded.results.find((r) => r.check === 'host.hostname')).toMatchObject({
      status: 'pass',
      expected: machine,
    });
    // With an inventory that gives another hostname, the flag is refused rather than chosen over it.
    const inventory = write(
      'lab.yaml',
      'hosts:\n  - { name: compute1, hostname: compute1, address: 10.0.0.101, role: compute, transport: local }\n',
    );
    const clash = labspec(['grade', compute, '--inventory', inventory, '--hostname', machine, '--reports', path('x')]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toBe(
      `labspec: ${compute}: --hostname ${machine}, but compute1's hostname in ${inventory} is compute1\n`,
    );
  });

  it('a cut capture: its host errors every check with the reason, on stderr too; the other host is judged', () => {
    const controller = capture(bundle(['--inventory', inventory, '--name', 'controller']), ['sh']);
    const whole = readFileSync(capture(bundle(['--inventory', inventory, '--name', 'compute1']), ['sh']), 'utf8');
    // Cut halfway through the probes' output, as a build step killed midway leaves it.
    const cut = write('cut.txt', whole.slice(0, Math.floor(whole.indexOf(' stderr\n') / 2)));
    const reports = path('graded');
    const run = labspec(['grade', controller, cut, '--inventory', inventory, '--reports', reports, '-q']);
    expect(run.code).toBe(live.summary.fail > 0 ? 1 : 3);
    expect(run.stderr).toMatch(
      new RegExp(
        `^labspec: ${cut}: truncated: part \\w+\\.\\w+ is missing the end of its stdout frame, and no stderr section follows \\(the capture ends at line \\d+\\)\\n$`,
      ),
    );
    const graded = results(reports);
    // Every check that applies to a compute node (the others are skipped, as for any host).
    const computeResults = graded.results.filter((r) => r.host === 'compute1' && r.status !== 'skip');
    expect(computeResults.length).toBeGreaterThan(15);
    for (const r of computeResults)
      expect(r, r.check).toMatchObject({ status: 'error', message: expect.stringContaining(`${cut}: truncated`) });
    const liveController = live.results.filter((r) => r.host === 'controller').map((r) => `${r.check}:${r.status}`);
    expect(graded.results.filter((r) => r.host === 'controller').map((r) => `${r.check}:${r.status}`)).toEqual(
      liveController,
    );
    expect(graded.hosts[1]!.connection).toEqual({
      ok: false,
      failure: 'capture',
      message: expect.stringContaining('truncated'),
    });
  });
});

describe.skipIf(!isRoot)(
  'over a real sshd: `ssh HOST sh -s < bundle.sh > capture.txt` against a live run (needs root)',
  () => {
    let sshd: TestSshd;
    beforeAll(async () => {
      sshd = await startSshd();
    }, 30_000);
    afterAll(async () => {
      await sshd?.stop();
    });

    it('every verdict the same', () => {
      const knownHosts = write('known_hosts', `[127.0.0.1]:${sshd.port} ${sshd.hostKeys.ed25519}\n`);
      const inventory = write(
        'lab.yaml',
        `lab: { name: sshd }
defaults: { user: root, port: ${sshd.port}, identityFile: ${sshd.clientKey}, knownHostsFile: ${knownHosts} }
hosts:
  - { name: controller, address: 127.0.0.1, labAddress: 10.0.0.100, role: controller }
`,
      );
      const liveReports = path('live');
      labspec(['run', '--inventory', inventory, '--reports', liveReports, '-q'], { env: { SSH_AUTH_SOCK: '' } });
      const live = results(liveReports);
      expect(live.hosts[0]!.connection).toEqual({ ok: true });

      const bundleFile = bundle(['--inventory', inventory, '--name', 'controller']);
      const sshArgs = () => [
        '-F',
        '/dev/null',
        '-p',
        String(sshd.port),
        '-i',
        sshd.clientKey,
        '-o',
        `UserKnownHostsFile=${knownHosts}`,
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        'BatchMode=yes',
        'root@127.0.0.1',
        'sh -s',
      ];
      const ssh = spawnSync('ssh', sshArgs(), {
        input: readFileSync(bundleFile),
        timeout: 60_000,
        env: { ...process.env, SSH_AUTH_SOCK: '' },
      });
      expect(ssh.status, ssh.stderr.toString()).toBe(0);
      const captured = write('capture.txt', ssh.stdout);
      const reports = path('graded');
      labspec(['grade', captured, '--inventory', inventory, '--reports', reports, '-q']);
      expect(reportDifferences(live, results(reports))).toEqual([]);

      // Without the inventory, the host named on grade's command line: --lab-address as for run --target, or its
      // older name --address; the same verdicts either way.
      const bare = spawnSync('ssh', sshArgs(), {
        input: readFileSync(bundle(['--role', 'controller', '--lab', 'sshd'])),
        timeout: 60_000,
        env: { ...process.env, SSH_AUTH_SOCK: '' },
      });
      expect(bare.status, bare.stderr.toString()).toBe(0);
      const bareCapture = write('capture.txt', bare.stdout);
      for (const option of ['--lab-address', '--address']) {
        const named = path('graded');
        const run = labspec(['grade', bareCapture, '--name', 'controller', option, '10.0.0.100', '--reports', named]);
        expect(run.stderr, option).toBe('');
        expect(results(named).hosts[0], option).toMatchObject({ host: 'controller', labAddress: '10.0.0.100' });
        expect(reportDifferences(live, results(named)), option).toEqual([]);
      }
    });
  },
);
