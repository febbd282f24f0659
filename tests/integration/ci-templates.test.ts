/**
 * Every template in examples/ci, run for real: each is parsed, its commands are extracted and run in order with
 * the env it sets by a small runner of its CI's dialect (tests/helpers/ci), and the exit codes and reports are
 * asserted. labspec comes from `npm pack` of this tree, installed by the template's own install command (the CI
 * setting that names the package points at the tarball). The image gates read hosts of the local lab as the
 * image's VM, through a port forward on 127.0.0.1 as a builder's; the class template reads a class on a real
 * sshd on loopback. Needs root and the lab: run under flock /tmp/labspec-lab.lock.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { labDown, labExecPrefix, labUp, type LabUpResult } from '../../lab/index.ts';
import { resultsDocument, type RunReport } from '../../outputs/report.ts';
import { runGitlabJob } from '../helpers/ci/gitlab-ci.ts';
import { loadWorkflow, runWorkflow, type JobRecord, type WorkflowRun } from '../helpers/ci/github-actions.ts';
import { parseJenkinsfile, runJenkinsfile } from '../helpers/ci/jenkinsfile.ts';
import { withNullSource } from '../helpers/ci/packer.ts';
import { installNode, machineEnv, type NodeShelf } from '../helpers/ci/shell.ts';
import { forwardIntoLab } from '../helpers/lab-forward.ts';
import { packLabspec } from '../helpers/pack.ts';
import { REPO } from '../helpers/run-npm-test.ts';
import { startSshd, type TestSshd } from '../helpers/sshd.ts';

const isRoot = process.getuid?.() === 0;
const XSD = join(REPO, 'tests/fixtures/junit/jenkins-junit.xsd');
const CI = join(REPO, 'examples/ci');
const TEMPLATES = {
  githubGate: join(CI, 'github/labspec-image-gate.yml'),
  githubShards: join(CI, 'github/labspec-class-shards.yml'),
  gitlab: join(CI, 'gitlab/labspec-image-gate.gitlab-ci.yml'),
  jenkins: join(CI, 'jenkins/Jenkinsfile'),
  packer: join(CI, 'packer/centos7-lab-image.pkr.hcl'),
};
/** What the image profile skips on a one-host run, each with its reason (checks of the other role are skipped too). */
const IMAGE_SKIPS = ['host.hostname', 'host.address', 'chrony.source', 'topology.hosts', 'topology.ntp'];
const profileSkips = (report: RunReport) =>
  report.results.filter((r) => r.status === 'skip' && r.source === 'profile image').map((r) => r.check);
/** Third-party actions do no labspec work: they set the machine up, carry reports between jobs, or publish them. */
const SETUP_ACTIONS = ['actions/checkout', 'actions/setup-node'];
const REPORT_ACTIONS = ['actions/upload-artifact', 'actions/download-artifact', 'dorny/test-reporter'];
/** These keep the reports of a failed run: they must run whatever the steps before them did. */
const KEEP_ACTIONS = ['actions/upload-artifact', 'dorny/test-reporter'];

const results = (dir: string): RunReport =>
  resultsDocument.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));

function junitValid(dir: string): string {
  const lint = spawnSync('xmllint', ['--noout', '--schema', XSD, join(dir, 'junit.xml')], { encoding: 'utf8' });
  return lint.status === 0 ? 'valid' : lint.stderr.trim();
}

/** The report set as CI shows it, without what differs from run to run: times, timestamps and the run's id. */
function withoutTimes(dir: string) {
  const { run, summary, hosts, results: entries } = results(dir);
  return {
    run: { kind: run.kind, filter: run.filter, shard: run.shard },
    summary,
    hosts: hosts.map(({ startedAt: _s, durationMs: _d, ...host }) => host),
    results: entries.map(({ durationMs: _d, ...entry }) => entry),
    junit: readFileSync(join(dir, 'junit.xml'), 'utf8')
      .replace(/ (time|timestamp)="[^"]*"/g, ' $1="…"')
      .replace(/<property name="run" value="[^"]*"\/>/g, '<property name="run" value="…"/>'),
  };
}

const stepLog = (job: JobRecord) =>
  job.steps
    .map((s) => `--- ${s.name}: ${s.ran ? `exit ${s.result?.code ?? 0}` : 'not run'}\n${s.result?.log ?? ''}`)
    .join('\n');
const runLog = (run: WorkflowRun) => run.jobs.map((j) => `=== ${j.id}: ${j.result}\n${stepLog(j)}`).join('\n');
const step = (job: JobRecord, name: RegExp) => job.steps.find((s) => name.test(s.name))!;

const root = mkdtempSync(join(process.env.LABSPEC_TEST_SCRATCH ?? tmpdir(), 'ci-templates-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
/** One `npm pack` for every template, made when the first one needs it. */
let packed: Promise<string> | undefined;
const packOnce = () => (packed ??= packLabspec(mkdtempSync(join(root, 'pack-'))));
/**
 * The Node the templates ask for (setup-node's node-version, the node:22 images): 22, labspec's oldest, so the
 * templates' labspec runs on it, not on the Node 26 the tests run on. Installed once.
 */
let shelf: Promise<NodeShelf> | undefined;
const nodesOnce = () => (shelf ??= installNode(22, join(root, 'nodes')).then((bin) => new Map([[22, bin]])));
/** A fresh CI machine: the system's Node (20), labspec not installed, npm's global folder its own. */
const machine = (name: string) => machineEnv(join(mkdtempSync(join(root, `${name}-`)), 'npm-global'));
/** A machine whose owner put Node 22 first on PATH, as the template's comment asks (the Packer build machine). */
const machineWithNode22 = async (name: string) => {
  const env = machine(name);
  return { ...env, PATH: `${(await nodesOnce()).get(22)}:${env.PATH}` };
};

describe.skipIf(!isRoot)('the image gates, run against hosts of the local lab (needs root)', () => {
  let tarball: string;
  let nodes: NodeShelf;
  let up: LabUpResult;
  let labKey: string;
  const forwards: Record<'controller' | 'compute1', { port: number; stop(): Promise<void> }> = {} as never;
  const hostKey = (name: string) => up.hosts.find((h) => h.name === name)!.hostKey;

  beforeAll(async () => {
    [tarball, nodes, up] = await Promise.all([packOnce(), nodesOnce(), labUp({ scenario: 'compliant' })]);
    labKey = join(up.stateDir, 'id_ed25519');
    forwards.controller = await forwardIntoLab(labExecPrefix(), '10.0.0.100', 22);
    forwards.compute1 = await forwardIntoLab(labExecPrefix(), '10.0.0.101', 22);
  }, 600_000);

  afterAll(async () => {
    for (const forward of Object.values(forwards)) await forward.stop();
    await labDown();
  });

  const target = (host: 'controller' | 'compute1') => `ssh://root@127.0.0.1:${forwards[host].port}`;

  describe('GitHub Actions: examples/ci/github/labspec-image-gate.yml', () => {
    const gate = (inputs: Record<string, string>, name: string) =>
      runWorkflow(TEMPLATES.githubGate, {
        repository: mkdtempSync(join(root, 'repo-')),
        machine: () => machine(name),
        nodes,
        root: mkdtempSync(join(root, `${name}-run-`)),
        inputs,
        secrets: { LAB_SSH_KEY: readFileSync(labKey, 'utf8') },
        vars: { LABSPEC_PACKAGE: tarball },
      });

    it('passes a compute-only image under the image profile, its new host key accepted for this run only', async () => {
      const run = await gate(
        { target: target('compute1'), role: 'compute', name: 'compute1', 'lab-address': '10.0.0.101' },
        'gh-gate',
      );
      expect(run.conclusion, runLog(run)).toBe('success');
      const [job] = run.jobs as [JobRecord];
      expect(job.steps.map((s) => [s.name, s.ran])).toEqual([
        ['actions/setup-node@v4', true],
        ['Install labspec', true],
        ['labspec run --profile image', true],
        ['Upload the reports', true],
        ['Publish the checks', true],
      ]);
      // setup-node's Node 22 is the one npm installs for and labspec runs on: no engine warning.
      expect(step(job, /^Install/).result!.log).not.toMatch(/EBADENGINE/);
      expect(step(job, /^labspec run/).result!.log).toMatch(/recorded in .*known_hosts \(accept-new\)/);

      const reports = join(job.workspace, 'reports');
      expect(junitValid(reports)).toBe('valid');
      const report = results(reports);
      expect(report.summary).toMatchObject({ fail: 0, error: 0 });
      expect(report.summary.pass).toBeGreaterThan(10);
      expect(report.hosts.map((h) => [h.host, h.address, h.labAddress, h.connection])).toEqual([
        ['compute1', '127.0.0.1', '10.0.0.101', { ok: true }],
      ]);
      expect(profileSkips(report)).toEqual(IMAGE_SKIPS);
      // The key is used, never written anywhere the run leaves.
      const secret = readFileSync(labKey, 'utf8').split('\n')[1]!;
      expect(readFileSync(join(reports, 'results.json'), 'utf8')).not.toContain(secret);
      expect(runLog(run)).not.toContain(secret);

      // The artifact holds the reports (links dropped, as some stores do); the publisher was given the JUnit.
      const artifact = join(run.artifacts, 'labspec-reports');
      expect(readdirSync(artifact).sort()).toEqual(['junit.xml', 'results.json', 'runs']);
      expect(job.published).toEqual([join(reports, 'junit.xml')]);
    });

    it('takes the host key the build printed, and refuses the VM when it presents another: exit 3, reports kept', async () => {
      const inputs = { target: target('compute1'), role: 'compute', name: 'compute1', 'lab-address': '10.0.0.101' };
      const pinned = await gate({ ...inputs, 'host-key': hostKey('compute1') }, 'gh-pinned');
      expect(pinned.conclusion, runLog(pinned)).toBe('success');

      const other = await gate({ ...inputs, 'host-key': hostKey('controller') }, 'gh-mismatch');
      expect(other.conclusion).toBe('failure');
      const [job] = other.jobs as [JobRecord];
      expect(step(job, /^labspec run/).result!.code, stepLog(job)).toBe(3);
      expect(step(job, /^Upload/).ran).toBe(true);
      expect(step(job, /^Publish/).ran).toBe(true);
      const report = results(join(job.workspace, 'reports'));
      expect(report.hosts[0]!.connection).toMatchObject({ ok: false });
      expect(report.results.every((r) => r.status === 'error' || r.status === 'skip')).toBe(true);
      expect(existsSync(join(other.artifacts, 'labspec-reports', 'junit.xml'))).toBe(true);
    });
  });

  describe('GitLab CI: examples/ci/gitlab/labspec-image-gate.gitlab-ci.yml', () => {
    it('passes the compute image; the JUnit named by artifacts:reports:junit is there and valid', async () => {
      const projectDir = join(mkdtempSync(join(root, 'gitlab-')), 'project');
      const job = await runGitlabJob(TEMPLATES.gitlab, 'labspec-image-gate', {
        projectDir,
        machine: machine('gitlab'),
        nodes,
        // CI/CD variables: the package, the key as a File variable; IMAGE_HOST/PORT from the build job's dotenv.
        variables: {
          LABSPEC_PACKAGE: tarball,
          LAB_SSH_KEY: labKey,
          IMAGE_HOST: '127.0.0.1',
          IMAGE_PORT: String(forwards.compute1.port),
        },
      });
      expect(job.status, job.script.log).toBe('success');
      expect(job.junit).toEqual([join(projectDir, 'reports/junit.xml')]);
      expect(job.artifacts).toEqual(['reports/']);
      expect(junitValid(join(projectDir, 'reports'))).toBe('valid');
      const report = results(join(projectDir, 'reports'));
      expect(report.summary).toMatchObject({ fail: 0, error: 0 });
      expect(profileSkips(report)).toEqual(IMAGE_SKIPS);
    });
  });

  describe('Jenkins: examples/ci/jenkins/Jenkinsfile', () => {
    const build = (params: Record<string, string>, name: string) => {
      const workspace = join(mkdtempSync(join(root, `${name}-`)), 'workspace');
      mkdirSync(workspace);
      return runJenkinsfile(TEMPLATES.jenkins, {
        workspace,
        machine: machine(name),
        nodes,
        globalEnv: { LABSPEC_PACKAGE: tarball },
        params,
        credentials: { 'lab-image-ssh-key': labKey },
      }).then((result) => ({ ...result, workspace }));
    };
    const log = (b: Awaited<ReturnType<typeof build>>) =>
      b.stages.map((s) => `--- ${s.name}: ${s.status}\n${s.steps.map((r) => r.log).join('\n')}`).join('\n');

    it('passes the controller image (the parameters’ defaults); the junit step reads every check', async () => {
      const passed = await build({ IMAGE_HOST: '127.0.0.1', IMAGE_PORT: String(forwards.controller.port) }, 'jenkins');
      expect(passed.result, log(passed)).toBe('SUCCESS');
      expect(passed.stages.map((s) => s.status)).toEqual(['success', 'success']);
      expect(junitValid(join(passed.workspace, 'reports'))).toBe('valid');
      const report = results(join(passed.workspace, 'reports'));
      expect(report.hosts.map((h) => [h.host, h.role, h.labAddress])).toEqual([
        ['controller', 'controller', '10.0.0.100'],
      ]);
      expect(profileSkips(report)).toEqual(IMAGE_SKIPS.filter((c) => c !== 'chrony.source'));
      expect(passed.junit).toMatchObject({ files: ['reports/junit.xml'], failures: 0, errors: 0 });
      expect(passed.junit.skipped).toBe(report.summary.skip);
      expect(passed.junit.tests).toBe(report.results.length);
      expect(passed.archived).toContain('reports/junit.xml');
      expect(passed.archived).toContain('reports/results.json');
    });

    it('fails the build when a check fails, and still publishes the JUnit and archives the reports', async () => {
      // The compute VM offered as a controller image: it serves no time to the lab.
      const failed = await build(
        { IMAGE_HOST: '127.0.0.1', IMAGE_PORT: String(forwards.compute1.port), IMAGE_LAB_ADDRESS: '10.0.0.101' },
        'jenkins-fail',
      );
      expect(failed.result, log(failed)).toBe('FAILURE');
      expect(failed.stages[1]!.steps[0]!.code).toBe(1);
      const report = results(join(failed.workspace, 'reports'));
      const failing = report.results.filter((r) => r.status === 'fail').map((r) => r.check);
      expect(failing).toContain('chrony.allow');
      expect(failed.junit.failures).toBe(failing.length);
      expect(failed.archived).toContain('reports/junit.xml');
    });
  });

  describe('Packer: examples/ci/packer/centos7-lab-image.pkr.hcl (the bundle path)', () => {
    it('Packer validates the template as written, and formats it as written', () => {
      const dir = mkdtempSync(join(root, 'packer-validate-'));
      writeFileSync(join(dir, 'base.qcow2'), '');
      const validate = spawnSync(
        'packer',
        ['validate', '-var', 'base_image=base.qcow2', '-var', `ssh_private_key_file=${labKey}`, TEMPLATES.packer],
        { cwd: dir, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } },
      );
      expect(validate.status, validate.stdout + validate.stderr).toBe(0);
      const fmt = spawnSync('packer', ['fmt', '-check', TEMPLATES.packer], { encoding: 'utf8' });
      expect(fmt.status, fmt.stdout + fmt.stderr).toBe(0);
    });

    /** The build machine: labspec installed as the template's comment says, with npm install --global. */
    let buildMachine: Record<string, string>;
    beforeAll(async () => {
      buildMachine = { ...(await machineWithNode22('packer')), CHECKPOINT_DISABLE: '1' };
      const install = spawnSync('npm', ['install', '--global', '--omit=dev', '--ignore-scripts', tarball], {
        env: buildMachine,
        encoding: 'utf8',
      });
      expect(install.status, install.stderr).toBe(0);
    });

    /** `packer build` of the template, its VM the lab host behind `forward`; the folder it ran in. */
    function build(forward: { port: number }, vars: string[] = []) {
      const dir = mkdtempSync(join(root, 'packer-build-'));
      const gate = withNullSource(TEMPLATES.packer, {
        host: '127.0.0.1',
        port: forward.port,
        username: 'root',
        privateKeyFile: labKey,
      });
      expect(gate.replacedSource).toMatch(/^source "qemu" "centos7" \{/);
      expect(gate.provisioners.map((p) => p.type)).toEqual([
        'shell-local',
        'file',
        'shell',
        'file',
        'shell',
        'shell-local',
      ]);
      writeFileSync(join(dir, 'gate.pkr.hcl'), gate.template);
      const packer = spawnSync(
        'packer',
        [
          'build',
          '-color=false',
          '-var',
          'base_image=unused',
          '-var',
          `ssh_private_key_file=${labKey}`,
          ...vars,
          'gate.pkr.hcl',
        ],
        { cwd: dir, env: buildMachine, encoding: 'utf8', timeout: 300_000 },
      );
      return { ...packer, dir, reports: join(dir, 'output/labspec-reports'), log: packer.stdout + packer.stderr };
    }

    /** What the lab host has in /tmp, read over SSH from inside the lab's network. */
    function tmpOf(address: string): string {
      const [program, ...prefix] = labExecPrefix();
      const ls = spawnSync(
        program!,
        [
          ...prefix,
          'ssh',
          '-F',
          '/dev/null',
          '-i',
          labKey,
          '-o',
          `UserKnownHostsFile=${join(up.stateDir, 'known_hosts')}`,
          '-o',
          'BatchMode=yes',
          `root@${address}`,
          'ls -A /tmp',
        ],
        { encoding: 'utf8' },
      );
      expect(ls.status, ls.stderr).toBe(0);
      return ls.stdout;
    }

    it('a build whose VM is the lab compute host: bundle, run with sh in the VM, graded on the build machine', () => {
      const packer = build(forwards.compute1);
      expect(packer.status, packer.log).toBe(0);
      expect(readFileSync(join(packer.dir, 'output/labspec-bundle.sh'), 'utf8')).toMatch(/^#!\/bin\/sh/);
      expect(junitValid(packer.reports)).toBe('valid');
      const report = results(packer.reports);
      expect(report.summary).toMatchObject({ fail: 0, error: 0 });
      expect(report.hosts.map((h) => [h.host, h.role, h.labAddress])).toEqual([['compute1', 'compute', '10.0.0.101']]);
      expect(report.hosts[0]!.transport).toMatch(/^capture /);
      expect(profileSkips(report)).toEqual(IMAGE_SKIPS);
      // Neither the bundle nor its capture is left in the image.
      expect(tmpOf('10.0.0.101')).not.toMatch(/labspec-/);
    });

    it('refuses an image that fails a check: the build fails, and the reports say why', () => {
      // The compute VM built as the controller's image: it serves no time to the lab.
      const packer = build(forwards.compute1, ['-var', 'role=controller', '-var', 'name=controller']);
      expect(packer.status, packer.log).not.toBe(0);
      expect(packer.log).toMatch(/Script exited with non-zero exit status: 1/);
      expect(packer.log).toMatch(/Build 'null.centos7' errored/);
      const report = results(packer.reports);
      expect(report.results.filter((r) => r.status === 'fail').map((r) => r.check)).toContain('chrony.allow');
      expect(junitValid(packer.reports)).toBe('valid');
      expect(tmpOf('10.0.0.101')).not.toMatch(/labspec-/);
    });
  });
});

describe.skipIf(!isRoot)(
  'GitHub Actions matrix: examples/ci/github/labspec-class-shards.yml, on a real sshd (needs root)',
  () => {
    let tarball: string;
    let nodes: NodeShelf;
    let sshd: TestSshd;
    let repository: string;

    beforeAll(async () => {
      [tarball, nodes, sshd] = await Promise.all([packOnce(), nodesOnce(), startSshd()]);
      // The class's repository: its inventory and the hosts' keys, as the template expects them.
      repository = mkdtempSync(join(root, 'class-repo-'));
      mkdirSync(join(repository, 'inventory'));
      writeFileSync(join(repository, 'known_hosts'), `[127.0.0.1]:${sshd.port} ${sshd.hostKeys.ed25519}\n`);
      const host = (name: string, labAddress: string) =>
        `      - { name: ${name}, address: 127.0.0.1, port: ${sshd.port}, labAddress: ${labAddress}, role: ${name === 'controller' ? 'controller' : 'compute'} }`;
      const lab = (name: string, hosts: string[]) =>
        [`  - name: ${name}`, '    lab: { chronySyncWaitSeconds: 0, minCpus: 1 }', '    hosts:', ...hosts].join('\n');
      writeFileSync(
        join(repository, 'inventory/class.yaml'),
        [
          `defaults: { user: root, privateKeyEnv: LAB_SSH_KEY, knownHostsFile: known_hosts, connectTimeoutSeconds: 5 }`,
          'labs:',
          lab('student1', [
            host('controller', '10.0.0.100'),
            host('compute1', '10.0.0.101'),
            host('compute2', '10.0.0.102'),
          ]),
          lab('student2', [host('controller', '10.0.0.100'), host('compute1', '10.0.0.101')]),
          lab('student3', [host('controller', '10.0.0.100'), host('compute1', '10.0.0.101')]),
          lab('student4', [host('controller', '10.0.0.100')]),
          '',
        ].join('\n'),
      );
    });

    afterAll(async () => {
      await sshd?.stop();
    });

    it('3 shard jobs and a merge job give the report set of one unsharded run', async () => {
      const secrets = { LAB_SSH_KEY: readFileSync(sshd.clientKey, 'utf8') };
      const run = await runWorkflow(TEMPLATES.githubShards, {
        repository,
        machine: () => machine('gh-shards'),
        nodes,
        root: mkdtempSync(join(root, 'gh-shards-run-')),
        secrets,
        vars: { LABSPEC_PACKAGE: tarball },
      });
      const shards = run.jobs.filter((j) => j.id.startsWith('shard'));
      const merge = run.jobs.find((j) => j.id === 'merge')!;
      expect(shards.map((j) => j.id)).toEqual(['shard (1)', 'shard (2)', 'shard (3)']);
      // This machine is no prepared CentOS host: checks fail, in each shard and in the merge, and nothing worse.
      for (const shard of shards) {
        expect(step(shard, /^labspec run --shard/).result!.code, stepLog(shard)).toBe(1);
        expect(step(shard, /^Upload/).ran).toBe(true);
      }
      expect(step(merge, /^labspec merge/).result!.code, stepLog(merge)).toBe(1);
      expect(run.conclusion).toBe('failure');
      expect(readdirSync(join(merge.workspace, 'shards')).sort()).toEqual([
        'labspec-shard-1',
        'labspec-shard-2',
        'labspec-shard-3',
      ]);

      // The same labspec, unsharded, on the same inventory.
      const env = { ...(await machineWithNode22('unsharded')), ...secrets };
      const install = spawnSync('npm', ['install', '--global', '--omit=dev', '--ignore-scripts', tarball], { env });
      expect(install.status).toBe(0);
      const whole = spawnSync('labspec', ['run', '--inventory', 'inventory/class.yaml', '--reports', 'whole', '-q'], {
        cwd: repository,
        env,
        encoding: 'utf8',
      });
      expect(whole.status, whole.stderr).toBe(1);

      const merged = join(merge.workspace, 'reports');
      expect(junitValid(merged)).toBe('valid');
      expect(withoutTimes(merged)).toEqual(withoutTimes(join(repository, 'whole')));
      expect(results(merged).results.filter((r) => r.host === null)).toHaveLength(8);
      expect(merge.published).toEqual([join(merged, 'junit.xml')]);
      expect(existsSync(join(run.artifacts, 'labspec-reports', 'junit.xml'))).toBe(true);
    });
  },
);

/** What the templates are, read without running them: the runners above enforce the same when they run them. */
describe('the templates as files', () => {
  it('GitHub: third-party actions only set the machine up, carry the reports or publish them; labspec runs in run: steps', () => {
    for (const file of [TEMPLATES.githubGate, TEMPLATES.githubShards]) {
      const steps = Object.values(loadWorkflow(file).jobs).flatMap((job) => job.steps);
      const actions = steps.flatMap((s) => (s.uses ? [s.uses.split('@')[0]!] : []));
      expect(
        actions.filter((a) => ![...SETUP_ACTIONS, ...REPORT_ACTIONS].includes(a)),
        file,
      ).toEqual([]);
      expect(steps.filter((s) => /\blabspec (run|merge)\b/.test(s.run ?? '')).length, file).toBeGreaterThan(0);
      // Reports are uploaded and published even when the gate failed.
      for (const s of steps.filter((s) => KEEP_ACTIONS.includes(s.uses?.split('@')[0] ?? '')))
        expect(s.if, `${file}: ${s.name}`).toBe('${{ !cancelled() }}');
    }
  });

  it('GitLab: the JUnit is an artifacts:reports:junit report, kept when the job fails', () => {
    const job = (parse(readFileSync(TEMPLATES.gitlab, 'utf8')) as Record<string, { artifacts?: unknown }>)[
      'labspec-image-gate'
    ]!;
    expect(job.artifacts).toMatchObject({
      when: 'always',
      paths: ['reports/'],
      reports: { junit: 'reports/junit.xml' },
    });
  });

  it('Jenkins: the junit step runs in post { always }', () => {
    const [pipeline] = parseJenkinsfile(readFileSync(TEMPLATES.jenkins, 'utf8'));
    const stages = pipeline!.block!.find((b) => b.name === 'stages')!.block!;
    expect(stages.map((s) => s.args[0]!.value)).toEqual(['Install labspec', 'Gate the image']);
    const always = pipeline!.block!.find((b) => b.name === 'post')!.block!.find((b) => b.name === 'always')!;
    expect(always.block!.map((s) => s.name)).toEqual(['junit', 'archiveArtifacts']);
    expect(always.block![0]!.args).toContainEqual({
      name: 'testResults',
      value: 'reports/junit.xml',
      interpolated: false,
    });
  });
});

/** A template cannot lean on something a runner would only pretend to do: what is not modelled is refused. */
describe('the CI runners refuse what they do not model', () => {
  const scratch = () => mkdtempSync(join(root, 'refused-'));
  const workflow = (steps: string) => {
    const file = join(scratch(), 'workflow.yml');
    writeFileSync(
      file,
      `on: { workflow_dispatch: null }\njobs:\n  one:\n    runs-on: ubuntu-24.04\n    steps:\n${steps}`,
    );
    return runWorkflow(file, {
      repository: scratch(),
      machine: () => machine('refused'),
      nodes: new Map(),
      root: scratch(),
    });
  };

  it('GitHub: an action outside the list, an expression outside the contexts, a matrix that fails fast', async () => {
    await expect(workflow('      - uses: actions/cache@v4\n')).rejects.toThrow(
      /not an action a labspec template may use/,
    );
    await expect(workflow('      - run: echo ${{ github.event.inputs.x }}\n')).rejects.toThrow(
      /not an expression this runner evaluates/,
    );
    await expect(workflow('      - uses: actions/setup-node@v4\n        with: { node-version: 20 }\n')).rejects.toThrow(
      /labspec needs Node 22 or later/,
    );
  });

  it('GitLab: a job key it does not know', async () => {
    const file = join(scratch(), '.gitlab-ci.yml');
    writeFileSync(file, 'job:\n  image: node:22\n  services: [postgres]\n  script: [true]\n');
    await expect(
      runGitlabJob(file, 'job', {
        projectDir: scratch(),
        machine: machine('refused'),
        nodes: new Map(),
        variables: {},
      }),
    ).rejects.toThrow(/services is not modelled/);
  });

  it('Jenkins: a step it does not know', async () => {
    const file = join(scratch(), 'Jenkinsfile');
    writeFileSync(
      file,
      "pipeline {\n  agent { docker { image 'node:22' } }\n  stages { stage('x') { steps { bat 'dir' } } }\n}\n",
    );
    await expect(
      runJenkinsfile(file, {
        workspace: scratch(),
        machine: machine('refused'),
        nodes: new Map([[22, '/nonexistent']]),
        globalEnv: {},
        params: {},
        credentials: {},
      }),
    ).rejects.toThrow(/step bat is not modelled/);
  });
});
