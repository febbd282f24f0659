/**
 * `npm run bench [-- --hosts 1,50,200]` (root): issue 10's benchmark — labspec against N real OpenSSH
 * servers on 127.0.0.1, next to the OpenSSH floor (the same probe bundle sent with `ssh`, one
 * connection and one exec per host, `xargs -P 8`, cold, no ControlMaster). No lab, no network beyond
 * loopback. See bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { buildBundle } from '../gather/bundle.ts';
import { inventoryYaml, labAddress, type Layout } from './fleet/inventory.ts';
import { hasGnuTime, measure, running, stats, type Measured, type Stats } from './fleet/measure.ts';
import { summarizeProfile, type ProfileSummary } from './fleet/profile.ts';
import { descendantsOf, startFleet, stopAll, sweepLeftovers, TMP_PREFIX, type Fleet } from './fleet/sshd-fleet.ts';

const ROOT = resolve(import.meta.dirname, '..');
/** The checkout's build, which `npm pack` ships. */
const BIN = join(ROOT, 'dist/bin/labspec.js');
const FLOOR_PARALLEL = 8;
const DEFAULT_CONCURRENCY = 16;

// ---------------------------------------------------------------------------------------------------------------
// Options

interface Options {
  hosts: number[];
  runs: number | null;
  layout: Layout;
  profile: boolean;
  npmTest: boolean;
  testinfra: boolean;
  chronyDemo: boolean;
  only: Set<string> | null;
  labspecNodeArgs: string[];
  out: string;
  build: boolean;
  hideRc: boolean;
  label: string | null;
}

const HELP = `npm run bench -- [options]           (as root: it starts sshd)

  --hosts LIST        host counts, comma-separated (default 1,50,200)
  --runs N            runs per measurement (default 5 up to 50 hosts, 3 above)
  --layout labs|flat  labs of 2 hosts (default) or one lab of N hosts
  --ci                --runs 2 --no-profile --no-chrony --no-testinfra --only floor,labspec-c16,npm-test: the CI job
                      (exit 0 unless the benchmark broke)
  --no-profile        skip the CPU profile of labspec at the largest N
  --no-npm-test       skip npm test
  --no-testinfra      skip pytest-testinfra (skipped anyway when it is not installed, and in --ci)
  --no-chrony         skip the chrony wait measurement
  --only LIST         only these measurements: floor, labspec-c16, labspec-c8, npm-test, testinfra,
                      testinfra-mux, testinfra-mux-n2, testinfra-paramiko
  --labspec-node-args "ARGS"   extra node arguments for the labspec runs (A/B experiments, e.g. --import=FILE)
  --label TEXT        a name for this run in the results (e.g. the experiment)
  --keep-rc           keep ~/.bashrc visible to the sessions (hidden by default, see README)
  --no-build          use dist/ as it is
  --out DIR           where results go (default bench/results)`;

function parseOptions(argv: string[]): Options {
  const o: Options = {
    hosts: [1, 50, 200],
    runs: null,
    layout: 'labs',
    profile: true,
    npmTest: true,
    testinfra: true,
    chronyDemo: true,
    only: null,
    labspecNodeArgs: [],
    out: join(ROOT, 'bench/results'),
    build: true,
    hideRc: true,
    label: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--hosts':
        o.hosts = value()
          .split(',')
          .map((s) => Number(s.trim()));
        if (o.hosts.some((n) => !Number.isInteger(n) || n < 1 || n > 2000))
          throw new Error('--hosts: whole numbers from 1 to 2000, comma-separated');
        o.hosts = [...new Set(o.hosts)].sort((a, b) => a - b);
        break;
      case '--runs':
        o.runs = Number(value());
        if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error('--runs: a whole number ≥ 1');
        break;
      case '--layout': {
        const v = value();
        if (v !== 'labs' && v !== 'flat') throw new Error('--layout: labs or flat');
        o.layout = v;
        break;
      }
      case '--ci':
        o.runs ??= 2;
        o.profile = false;
        o.chronyDemo = false;
        o.testinfra = false;
        o.only ??= new Set(['floor', 'labspec-c16', 'npm-test']);
        break;
      case '--no-profile':
        o.profile = false;
        break;
      case '--no-npm-test':
        o.npmTest = false;
        break;
      case '--no-testinfra':
        o.testinfra = false;
        break;
      case '--no-chrony':
        o.chronyDemo = false;
        break;
      case '--only':
        o.only = new Set(value().split(','));
        for (const v of o.only)
          if (!(MEASURED_VARIANTS as readonly string[]).includes(v)) throw new Error(`--only: unknown ${v}`);
        break;
      case '--labspec-node-args':
        o.labspecNodeArgs = value().split(/\s+/).filter(Boolean);
        break;
      case '--label':
        o.label = value();
        break;
      case '--keep-rc':
        o.hideRc = false;
        break;
      case '--no-build':
        o.build = false;
        break;
      case '--out':
        o.out = resolve(process.env.INIT_CWD ?? process.cwd(), value());
        break;
      case '-h':
      case '--help':
        console.log(HELP);
        process.exit(0);
      // falls through (process.exit does not return)
      default:
        throw new Error(`unknown option ${arg}\n${HELP}`);
    }
  }
  return o;
}

// ---------------------------------------------------------------------------------------------------------------
// Environment

/** The environment a person's shell would give: without what `npm run bench` added, without an agent or LABSPEC_*. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|INIT_CWD$|SSH_AUTH_SOCK$|LABSPEC_|NODE_OPTIONS$|FORCE_COLOR$|VITEST)/.test(k)) continue;
    env[k] = v;
  }
  // A user's Node.js (≥ 22, here this one) first on PATH: the installed bin's `#!/usr/bin/env node` finds it.
  env.PATH = [
    dirname(process.execPath),
    ...(process.env.PATH ?? '').split(delimiter).filter((p) => !/node_modules\/\.bin$|node-gyp-bin$/.test(p)),
  ].join(delimiter);
  env.NO_COLOR = '1';
  return env;
}

/** labspec as users install it: the checkout's `npm pack`, installed into an empty folder. */
interface Installed {
  tarball: string;
  /** node_modules/.bin/labspec: what `labspec` runs on a user's PATH (or npx). */
  bin: string;
  /** The script the bin links to, for runs that need node flags (profiles, --labspec-node-args). */
  script: string;
}

/**
 * `npm pack` of this checkout (dist/ as built above), then `npm install TARBALL --omit=dev --ignore-scripts` into
 * an empty folder, as the README tells users: no devDependencies, no native build (ssh2 on its JavaScript crypto).
 * The dependencies come from npm's cache when `npm ci` filled it.
 */
function installPackage(scratch: string, env: NodeJS.ProcessEnv): Installed {
  const packs = join(scratch, 'pack');
  const app = join(scratch, 'app');
  mkdirSync(packs);
  mkdirSync(app);
  const npm = (args: string[], cwd: string) => {
    const r = spawnSync('npm', args, { cwd, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim()}`);
  };
  npm(['pack', '--ignore-scripts', '--silent', '--pack-destination', packs], ROOT);
  const tarball = join(
    packs,
    readdirSync(packs).find((f) => f.endsWith('.tgz'))!,
  );
  npm(
    [
      'install',
      tarball,
      '--omit=dev',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--prefix',
      app,
    ],
    app,
  );
  return {
    tarball,
    bin: join(app, 'node_modules/.bin/labspec'),
    script: join(app, 'node_modules/labspec/dist/bin/labspec.js'),
  };
}

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Builds dist/ (npm run build) when it is missing or older than a source it is built from. */
function ensureBuild(env: NodeJS.ProcessEnv): string {
  const sources = ['bin', 'cli', 'run', 'inventory', 'gather', 'probes', 'facts', 'checks', 'outputs', 'lab']
    .map((d) => join(ROOT, d))
    .concat(['package.json', 'tsconfig.json', 'tsconfig.build.json'].map((f) => join(ROOT, f)));
  const newest = Math.max(...sources.filter(existsSync).map(newestMtime));
  if (existsSync(BIN) && statSync(BIN).mtimeMs >= newest) return 'dist/ up to date';
  console.log('bench: building dist/ (npm run build) …');
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status})`);
  return 'dist/ rebuilt';
}

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
}

function machine() {
  const git = (args: string[]) => sh('git', ['-C', ROOT, ...args]);
  const dirty = spawnSync('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map((l) => l.slice(3));
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    kernel: sh('uname', ['-r']),
    node: process.version,
    openssh: sh('ssh', ['-V']),
    ssh2: (JSON.parse(readFileSync(join(ROOT, 'node_modules/ssh2/package.json'), 'utf8')) as { version: string })
      .version,
    commit: git(['rev-parse', '--short', 'HEAD']),
    modifiedFiles: dirty,
  };
}

const load = () => loadavg().map((l) => Math.round(l * 100) / 100) as [number, number, number];

// ---------------------------------------------------------------------------------------------------------------
// Measurements

const MEASURED_VARIANTS = [
  'floor',
  'labspec-c16',
  'labspec-c8',
  'npm-test',
  'testinfra',
  'testinfra-mux',
  'testinfra-mux-n2',
  'testinfra-paramiko',
] as const;
type Variant = (typeof MEASURED_VARIANTS)[number] | 'vitest-direct';
const TESTINFRA_VARIANTS: readonly Variant[] = ['testinfra', 'testinfra-mux', 'testinfra-mux-n2', 'testinfra-paramiko'];

const VARIANT_LABEL: Record<Variant, string> = {
  floor: `OpenSSH floor: ssh, xargs -P ${FLOOR_PARALLEL}`,
  'labspec-c16': `labspec run (default concurrency ${DEFAULT_CONCURRENCY})`,
  'labspec-c8': 'labspec run --concurrency 8',
  'npm-test': `npm test (concurrency ${DEFAULT_CONCURRENCY})`,
  'vitest-direct': 'node specs/harness/npm-test.ts (npm test without npm)',
  testinfra: 'pytest-testinfra, ssh backend as it comes (no ControlPath: a connection per command)',
  'testinfra-mux': 'pytest-testinfra, ssh backend with a ControlPath (one master per host)',
  'testinfra-mux-n2': 'pytest-testinfra with a ControlPath, pytest-xdist -n 2',
  'testinfra-paramiko': 'pytest-testinfra, paramiko backend (one connection per host, in process)',
};

interface PerHost {
  mean: number;
  min: number;
  max: number;
}

function perHostOf(values: number[]): PerHost {
  return {
    mean: values.reduce((a, b) => a + b, 0) / Math.max(1, values.length),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

interface RunRecord {
  wallMs: number;
  cpuSeconds: number | null;
  peakTreeRssKiB: number;
  maxProcessRssKiB: number | null;
  exitCode: number | null;
  /** From the sshd logs: per host, over this run's N hosts. */
  connectionsPerHost: PerHost;
  execsPerHost: PerHost;
  hostsOk: number | null;
  loadBefore: number;
  /** pytest's last line (testinfra rows): how many tests passed and failed, which shows every test ran. */
  pytestSummary?: string;
}

interface Measurement {
  hosts: number;
  variant: Variant;
  label: string;
  runs: RunRecord[];
  wall: Stats;
  cpu: Stats | null;
  peakTreeRssMiB: Stats;
  maxProcessRssMiB: Stats | null;
  ratioToFloor: number | null;
  connectionsPerHost: PerHost;
  execsPerHost: PerHost;
  hostsOk: string;
  broken: string | null;
}

interface RunPhases {
  /** Process start to run start (prepareRun): node start-up, imports, argument parsing. */
  startupMs: number;
  /** Run start to the last host done: reading the inventory and all hosts. */
  gatherMs: number;
  /** Last host done to process exit: judging, the report set, exit. */
  afterGatherMs: number;
  host: {
    /** Median of the hosts' connectMs: TCP, key exchange, authentication, exec, shell start, first output. */
    connectMsMedian: number;
    connectMsMax: number;
    durationMsMedian: number;
    durationMsMax: number;
    /** durationMs − connectMs: the script on the host, as the runner saw it. */
    remoteMsMedian: number;
  };
  /** Per probe part: the median over hosts of its durationMs, the 6 largest. */
  slowestParts: { part: string; medianMs: number }[];
  reportBytes: { resultsJson: number; junitXml: number; facts: number };
}

interface Ctx {
  env: NodeJS.ProcessEnv;
  installed: Installed;
  scratch: string;
  fleet: Fleet;
  options: Options;
  broken: string[];
  /** Debian's python3 with pytest-testinfra (and whether pytest-xdist is there), or why its rows are skipped. */
  testinfra: Testinfra;
  /** Per N: whether the floor's script is the one labspec sent its first controller (markers aside). */
  bundleChecks: { hosts: number; bytes: number; parts: number; sameAsLabspec: boolean | null }[];
}

// ---------------------------------------------------------------------------------------------------------------
// pytest-testinfra: the same hosts checked as a testinfra user would (bench/testinfra/test_lab.py)

const TESTINFRA_TESTS = join(ROOT, 'bench/testinfra/test_lab.py');

type Testinfra = { python: string; testinfra: string; pytest: string; xdist: string | null } | { skipped: string };

/** The first python3 (PATH's, then Debian's) with pytest-testinfra: its versions, and pytest-xdist's if installed. */
function findTestinfra(env: NodeJS.ProcessEnv): Testinfra {
  const versions = [
    'from importlib.metadata import version',
    'import testinfra',
    'print(version("pytest-testinfra"), version("pytest"))',
    'try:\n    import xdist; print(version("pytest-xdist"))\nexcept ImportError:\n    print("-")',
  ].join('\n');
  for (const python of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(python, ['-c', versions], { env, encoding: 'utf8' });
    if (r.status !== 0) continue;
    const [testinfra = '?', pytest = '?', xdist = '-'] = r.stdout.split(/\s+/).filter(Boolean);
    return { python, testinfra, pytest, xdist: xdist === '-' ? null : xdist };
  }
  return { skipped: 'pytest-testinfra is not installed (apt-get install python3-testinfra python3-pytest)' };
}

/** What bench/testinfra/conftest.py gives each test as `lab_host`, by sshd port: the inventory's hosts as JSON. */
function writeTestinfraLab(ctx: Ctx, n: number): string {
  const ports = ctx.fleet.ports.slice(0, n);
  const labOf = (i: number) => (ctx.options.layout === 'labs' ? Math.floor(i / 2) * 2 : 0);
  const hosts = Object.fromEntries(
    ports.map((port, i) => {
      const first = labOf(i);
      const members = ports.map((_, j) => j).filter((j) => labOf(j) === first);
      return [
        String(port),
        {
          name: `host${i + 1}`,
          labAddress: labAddress(i),
          role: i === first ? 'controller' : 'compute',
          subnet: '10.0.0.0/16',
          controller: labAddress(first),
          lab: members.map((j) => ({ name: `host${j + 1}`, labAddress: labAddress(j) })),
        },
      ];
    }),
  );
  const file = join(ctx.scratch, `testinfra-lab.${n}.json`);
  writeFileSync(file, JSON.stringify(hosts, null, 2));
  return file;
}

/**
 * `python3 -m pytest` on test_lab.py against the first N hosts, with testinfra 7's ssh backend (the `ssh` binary,
 * as `--hosts=ssh://…` selects) or its paramiko backend (`paramiko://`: one connection per host, a channel per
 * command, in pytest's process; it reads only a few keys of the ssh_config and does not check the host key against
 * known_hosts, it warns). The floor's client options go in an ssh_config (`--ssh-config`: testinfra 7.0's pytest
 * plugin does not pass `--ssh-extra-args` on). Without a ControlPath (testinfra sets none; its ControlMaster=auto
 * and ControlPersist=60s then do nothing) every command is a connection of its own. With one (`mux`), in a folder
 * new for each run, each host's first command starts a master that the others share; the masters outlive pytest
 * (ControlPersist) and are closed with `ssh -O exit` after the run, so every run is cold (and when the benchmark is
 * stopped, its sshd go and the masters with them).
 */
function testinfraCommand(
  ctx: Ctx,
  n: number,
  variant: Variant,
): { cmd: string; args: string[]; env: NodeJS.ProcessEnv; runDir: string; controlDir: string | null } {
  if (!('python' in ctx.testinfra)) throw new Error(ctx.testinfra.skipped);
  const runDir = mkdtempSync(join(ctx.scratch, `${variant}-`));
  const controlDir = variant === 'testinfra-mux' || variant === 'testinfra-mux-n2' ? join(runDir, 'control') : null;
  const scheme = variant === 'testinfra-paramiko' ? 'paramiko' : 'ssh';
  if (controlDir) mkdirSync(controlDir);
  const sshConfig = join(runDir, 'ssh_config');
  writeFileSync(
    sshConfig,
    [
      'Host 127.0.0.1',
      '  BatchMode yes',
      '  IdentitiesOnly yes',
      '  IdentityAgent none',
      '  UpdateHostKeys no',
      '  StrictHostKeyChecking yes',
      `  UserKnownHostsFile ${ctx.fleet.knownHosts}`,
      '  GlobalKnownHostsFile /dev/null',
      '  LogLevel ERROR',
      ...(controlDir ? [`  ControlPath ${controlDir}/%p`] : []),
      '',
    ].join('\n'),
  );
  const args = [
    '-m',
    'pytest',
    '-q',
    '-p',
    'no:cacheprovider',
    `--hosts=${ctx.fleet.ports
      .slice(0, n)
      .map((p) => `${scheme}://root@127.0.0.1:${p}`)
      .join(',')}`,
    '--ssh-identity-file',
    ctx.fleet.clientKey,
    `--ssh-config=${sshConfig}`,
    `--lab=${join(ctx.scratch, `testinfra-lab.${n}.json`)}`,
    ...(variant === 'testinfra-mux-n2' ? ['-n', '2'] : []),
    TESTINFRA_TESTS,
  ];
  // Python's bytecode cache outside the checkout, kept warm across runs like node's compile cache.
  const env = { ...ctx.env, PYTHONPYCACHEPREFIX: join(ctx.scratch, 'pycache') };
  return { cmd: ctx.testinfra.python, args, env, runDir, controlDir };
}

/** Closes the ControlPersist masters a testinfra run left, one `ssh -O exit` per control socket. */
function closeMasters(controlDir: string): void {
  for (const port of readdirSync(controlDir)) {
    spawnSync(
      'ssh',
      ['-F', 'none', '-o', `ControlPath=${join(controlDir, port)}`, '-O', 'exit', '-p', port, 'root@127.0.0.1'],
      { stdio: 'ignore', timeout: 10_000 },
    );
  }
}

/** The script the floor sends: host1's bundle (a controller) as gatherHost builds it for N hosts. */
function writeFloorBundle(ctx: Ctx, n: number): { file: string; script: string; parts: number } {
  // `peers`: the controller's lab's computes (chronyc accheck), where this labspec has them. Not a literal,
  // so a labspec without the field still type-checks.
  const computes = ctx.options.layout === 'labs' ? Math.min(n, 2) - 1 : n - 1;
  const controllerOptions = {
    role: 'controller',
    chronySyncWaitSeconds: 0,
    peers: Array.from({ length: computes }, (_, i) => labAddress(i + 1)),
  } as const;
  const bundle = buildBundle(controllerOptions);
  const file = join(ctx.scratch, `bundle.${n}.sh`);
  writeFileSync(file, bundle.script);
  return { file, script: bundle.script, parts: bundle.parts.length };
}

/** The script labspec sent host1 in a run, from its snapshot. */
function sentScript(reports: string): string | null {
  const facts = join(reports, 'facts');
  if (!existsSync(facts)) return null;
  for (const f of readdirSync(facts)) {
    const s = JSON.parse(readFileSync(join(facts, f), 'utf8')) as { host: { name: string }; script: string };
    if (s.host.name === 'host1') return s.script;
  }
  return null;
}

const withoutMarkers = (script: string) => script.replace(/LABSPEC_[0-9a-f]{32}/g, 'LABSPEC_MARKER');

function dirBytes(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((n, e) => n + dirBytes(join(path, e)), 0);
}

interface ResultsJson {
  run: { startedAt: string };
  hosts: { startedAt: string; durationMs: number; connection: { ok: boolean } }[];
}

function phasesOf(reports: string, m: Measured): RunPhases | null {
  const resultsFile = join(reports, 'results.json');
  if (!existsSync(resultsFile)) return null;
  const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as ResultsJson;
  const runStart = Date.parse(results.run.startedAt);
  const lastHostEnd = Math.max(...results.hosts.map((h) => Date.parse(h.startedAt) + h.durationMs));
  const factsDir = join(reports, 'facts');
  const snapshots = readdirSync(factsDir).map(
    (f) =>
      JSON.parse(readFileSync(join(factsDir, f), 'utf8')) as {
        connectMs: number | null;
        durationMs: number;
        outputs: { probe: string; part: string; durationMs: number | null }[];
      },
  );
  const connect = stats(snapshots.map((s) => s.connectMs ?? NaN).filter((x) => !Number.isNaN(x)));
  const duration = stats(snapshots.map((s) => s.durationMs));
  const remote = stats(snapshots.filter((s) => s.connectMs !== null).map((s) => s.durationMs - s.connectMs!));
  const parts = new Map<string, number[]>();
  for (const s of snapshots)
    for (const o of s.outputs) {
      const k = `${o.probe}.${o.part}`;
      parts.set(k, [...(parts.get(k) ?? []), o.durationMs ?? NaN]);
    }
  return {
    startupMs: runStart - m.spawnedAtEpochMs,
    gatherMs: lastHostEnd - runStart,
    afterGatherMs: m.spawnedAtEpochMs + m.wallMs - lastHostEnd,
    host: {
      connectMsMedian: connect.median,
      connectMsMax: connect.max,
      durationMsMedian: duration.median,
      durationMsMax: duration.max,
      remoteMsMedian: remote.median,
    },
    slowestParts: [...parts.entries()]
      .map(([part, v]) => ({ part, medianMs: stats(v.filter((x) => !Number.isNaN(x))).median }))
      .sort((a, b) => b.medianMs - a.medianMs)
      .slice(0, 6),
    reportBytes: {
      resultsJson: dirBytes(resultsFile),
      junitXml: dirBytes(join(reports, 'junit.xml')),
      facts: dirBytes(factsDir),
    },
  };
}

function hostsOkOf(reports: string): number | null {
  const file = join(reports, 'results.json');
  if (!existsSync(file)) return null;
  return (JSON.parse(readFileSync(file, 'utf8')) as ResultsJson).hosts.filter((h) => h.connection.ok).length;
}

/** The inventory and the floor's port list for the first N hosts; returns the inventory's path. */
function prepareN(ctx: Ctx, n: number): string {
  const inventory = join(ctx.scratch, `inventory.${n}.yaml`);
  writeFileSync(
    inventory,
    inventoryYaml({
      ports: ctx.fleet.ports.slice(0, n),
      identityFile: ctx.fleet.clientKey,
      knownHostsFile: ctx.fleet.knownHosts,
      layout: ctx.options.layout,
      chronySyncWaitSeconds: 0,
    }),
  );
  writeFileSync(join(ctx.scratch, `ports.${n}`), ctx.fleet.ports.slice(0, n).join('\n') + '\n');
  return inventory;
}

/** One run of one variant at N hosts. */
async function runOnce(
  ctx: Ctx,
  variant: Variant,
  n: number,
  inventory: string,
  extra: { cpuProf?: string } = {},
): Promise<{ record: RunRecord; measured: Measured; reports: string }> {
  const reports = mkdtempSync(join(ctx.scratch, `reports-${variant}-${n}-`));
  const portsFile = join(ctx.scratch, `ports.${n}`);
  const node = process.execPath;
  // The installed bin, as a user runs it; through node when node needs flags (a profile, an A/B experiment).
  const nodeFlags = [
    ...ctx.options.labspecNodeArgs,
    ...(extra.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${extra.cpuProf}`] : []),
  ];
  const labspec = nodeFlags.length > 0 ? node : ctx.installed.bin;
  const labspecArgs = (concurrency: number | null) => [
    ...(nodeFlags.length > 0 ? [...nodeFlags, ctx.installed.script] : []),
    'run',
    '--inventory',
    inventory,
    '--reports',
    reports,
    '-q',
    ...(concurrency === null ? [] : ['--concurrency', String(concurrency)]),
  ];
  const ssh = [
    'ssh -F none -o BatchMode=yes -o ControlMaster=no -o ControlPath=none',
    '-o IdentitiesOnly=yes -o IdentityAgent=none -o UpdateHostKeys=no -o StrictHostKeyChecking=yes',
    `-o UserKnownHostsFile=${ctx.fleet.knownHosts} -o GlobalKnownHostsFile=/dev/null -o LogLevel=ERROR`,
    `-i ${ctx.fleet.clientKey} -p "$1" -l root 127.0.0.1`,
  ].join(' ');
  const testinfra = TESTINFRA_VARIANTS.includes(variant) ? testinfraCommand(ctx, n, variant) : null;
  const [cmd, args, env]: [string, string[], NodeJS.ProcessEnv] = testinfra
    ? [testinfra.cmd, testinfra.args, testinfra.env]
    : variant === 'floor'
      ? [
          'xargs',
          [
            '-P',
            String(FLOOR_PARALLEL),
            '-n',
            '1',
            '-a',
            portsFile,
            '/bin/sh',
            '-c',
            `exec ${ssh} 'env LC_ALL=C /bin/sh -s' <${join(ctx.scratch, `bundle.${n}.sh`)} >/dev/null`,
            'sh',
          ],
          ctx.env,
        ]
      : variant === 'labspec-c16'
        ? [labspec, labspecArgs(null), ctx.env]
        : variant === 'labspec-c8'
          ? [labspec, labspecArgs(8), ctx.env]
          : variant === 'npm-test'
            ? ['npm', ['test'], { ...ctx.env, LABSPEC_INVENTORY: inventory, LABSPEC_REPORTS: reports }]
            : [
                node,
                [join(ROOT, 'specs/harness/npm-test.ts')],
                { ...ctx.env, LABSPEC_INVENTORY: inventory, LABSPEC_REPORTS: reports },
              ];
  const mark = ctx.fleet.mark();
  const loadBefore = loadavg()[0]!;
  const measured = await measure(cmd, args, { env, cwd: ROOT, scratch: ctx.scratch });
  if (testinfra?.controlDir) closeMasters(testinfra.controlDir);
  if (testinfra) rmSync(testinfra.runDir, { recursive: true, force: true });
  await new Promise((r) => setTimeout(r, 50)); // sshd's last log lines
  const counts = ctx.fleet.countSince(mark, n);
  const hostsOk = variant === 'floor' || testinfra ? null : hostsOkOf(reports);
  const record: RunRecord = {
    wallMs: measured.wallMs,
    cpuSeconds: measured.cpuSeconds,
    peakTreeRssKiB: measured.peakTreeRssKiB,
    maxProcessRssKiB: measured.maxProcessRssKiB,
    exitCode: measured.exitCode,
    connectionsPerHost: perHostOf(counts.connections),
    execsPerHost: perHostOf(counts.execs),
    hostsOk,
    loadBefore,
    ...(testinfra ? { pytestSummary: measured.stdout.trim().split('\n').at(-1) ?? '' } : {}),
  };
  // pytest: 0 all passed, 1 some failed; an error (a host it could not reach, a fixture) means it did not judge.
  const expected = variant === 'floor' ? [0] : testinfra ? [0, 1] : [0, 1, 3];
  if (testinfra && (/ error/.test(record.pytestSummary ?? '') || Math.min(...counts.execs) === 0)) {
    ctx.broken.push(`${variant} at ${n} hosts did not read every host: ${record.pytestSummary}`);
  } else if (measured.exitCode === null || !expected.includes(measured.exitCode)) {
    ctx.broken.push(
      `${variant} at ${n} hosts exited ${measured.exitCode ?? measured.signal}: ${(measured.stderr || measured.stdout).trim().split('\n').slice(-5).join(' | ')}`,
    );
  }
  return { record, measured, reports };
}

function summarize(n: number, variant: Variant, runs: RunRecord[], broken: string | null): Measurement {
  const per = (pick: (r: RunRecord) => PerHost): PerHost => ({
    mean: runs.reduce((a, r) => a + pick(r).mean, 0) / Math.max(1, runs.length),
    min: Math.min(...runs.map((r) => pick(r).min)),
    max: Math.max(...runs.map((r) => pick(r).max)),
  });
  const cpu = runs.every((r) => r.cpuSeconds !== null) ? stats(runs.map((r) => r.cpuSeconds!)) : null;
  const maxProc = runs.every((r) => r.maxProcessRssKiB !== null)
    ? stats(runs.map((r) => r.maxProcessRssKiB! / 1024))
    : null;
  const oks = runs.map((r) => r.hostsOk);
  return {
    hosts: n,
    variant,
    label: VARIANT_LABEL[variant],
    runs,
    wall: stats(runs.map((r) => r.wallMs / 1000)),
    cpu,
    peakTreeRssMiB: stats(runs.map((r) => r.peakTreeRssKiB / 1024)),
    maxProcessRssMiB: maxProc,
    ratioToFloor: null,
    connectionsPerHost: per((r) => r.connectionsPerHost),
    execsPerHost: per((r) => r.execsPerHost),
    hostsOk: oks.every((o) => o === null) ? '-' : `${Math.min(...oks.map((o) => o ?? 0))}/${n}`,
    broken,
  };
}

async function measureN(
  ctx: Ctx,
  n: number,
  warmUp: boolean,
): Promise<{ measurements: Measurement[]; phases: RunPhases | null; load: { before: number[]; after: number[] } }> {
  const o = ctx.options;
  const inventory = prepareN(ctx, n);
  const floorBundle = writeFloorBundle(ctx, n);
  const bundleCheck = {
    hosts: n,
    bytes: Buffer.byteLength(floorBundle.script),
    parts: floorBundle.parts,
    sameAsLabspec: null as boolean | null,
  };
  ctx.bundleChecks.push(bundleCheck);
  const testinfraReady = o.testinfra && 'python' in ctx.testinfra;
  const hasXdist = 'python' in ctx.testinfra && ctx.testinfra.xdist !== null;
  const variants: Variant[] = MEASURED_VARIANTS.filter(
    (v) =>
      (o.only === null || o.only.has(v)) &&
      (v !== 'npm-test' || o.npmTest) &&
      (!TESTINFRA_VARIANTS.includes(v) || testinfraReady) &&
      (v !== 'testinfra-mux-n2' || hasXdist),
  );
  if (variants.some((v) => TESTINFRA_VARIANTS.includes(v))) writeTestinfraLab(ctx, n);
  if (n === 1 && o.npmTest && (o.only === null || o.only.has('npm-test'))) variants.push('vitest-direct');
  const runs = o.runs ?? (n <= 50 ? 5 : 3);
  const loadBefore = load();
  if (warmUp) {
    // Page cache, node's compile cache, vite's: one untimed run of each at 1 host.
    process.stdout.write(`bench: warm-up at 1 host …`);
    const one = prepareN(ctx, 1);
    writeFloorBundle(ctx, 1);
    if (variants.some((v) => TESTINFRA_VARIANTS.includes(v))) writeTestinfraLab(ctx, 1);
    for (const v of variants) rmSync((await runOnce(ctx, v, 1, one)).reports, { recursive: true, force: true });
    process.stdout.write('\n');
  }
  const records = new Map<Variant, RunRecord[]>(variants.map((v) => [v, []]));
  let phases: RunPhases | null = null;
  // Round-robin: every variant once per round, so a burst of other load on the machine hits all of them.
  for (let round = 0; round < runs; round++) {
    process.stdout.write(`bench: ${n} host${n > 1 ? 's' : ''}: round ${round + 1}/${runs}:`);
    for (const v of variants) {
      const { record, measured, reports } = await runOnce(ctx, v, n, inventory);
      records.get(v)!.push(record);
      process.stdout.write(` ${v} ${(record.wallMs / 1000).toFixed(2)}s`);
      if (v === 'labspec-c16' && round === runs - 1) phases = phasesOf(reports, measured);
      if (v === 'labspec-c16' && bundleCheck.sameAsLabspec === null) {
        const sent = sentScript(reports);
        if (sent !== null) bundleCheck.sameAsLabspec = withoutMarkers(sent) === withoutMarkers(floorBundle.script);
      }
      rmSync(reports, { recursive: true, force: true });
    }
    process.stdout.write('\n');
  }
  const measurements = variants.map((v) => summarize(n, v, records.get(v)!, null));
  const floor = measurements.find((m) => m.variant === 'floor');
  for (const m of measurements) if (floor) m.ratioToFloor = m.wall.median / floor.wall.median;
  return { measurements, phases, load: { before: loadBefore, after: load() } };
}

/**
 * Start-up alone, interleaved: node itself, the installed bin doing nothing (--version) and loading every check and
 * probe (checks), and the sources through Node's TypeScript stripping.
 */
async function measureStartup(ctx: Ctx, runs = 10) {
  const node = process.execPath;
  const cases: [string, string, string[]][] = [
    ['node -e 0 (node alone)', node, ['-e', '0']],
    ['labspec --version (installed bin)', ctx.installed.bin, ['--version']],
    ['labspec checks (installed bin)', ctx.installed.bin, ['checks']],
    ['node bin/labspec.ts --version (sources)', node, [join(ROOT, 'bin/labspec.ts'), '--version']],
  ];
  const samples = cases.map(() => [] as number[]);
  const rss = cases.map(() => [] as number[]);
  for (let r = 0; r < runs + 1; r++) {
    for (const [i, [, command, args]] of cases.entries()) {
      const m = await measure(command, args, { env: ctx.env, cwd: ROOT, scratch: ctx.scratch });
      if (m.exitCode !== 0) ctx.broken.push(`${command} ${args.join(' ')} exited ${m.exitCode}: ${m.stderr.trim()}`);
      if (r > 0) {
        samples[i]!.push(m.wallMs);
        if (m.maxProcessRssKiB !== null) rss[i]!.push(m.maxProcessRssKiB / 1024);
      }
    }
  }
  return cases.map(([what], i) => ({
    what,
    ms: stats(samples[i]!),
    rssMiB: rss[i]!.length ? stats(rss[i]!).median : null,
  }));
}

/** labspec's and ssh's key exchange, host key, cipher and MAC, from an sshd at LogLevel DEBUG1. */
async function negotiated(ctx: Ctx): Promise<{ client: string; kex: string; hostKey: string; cipher: string }[]> {
  const diag = await startFleet(1, { logLevel: 'DEBUG1', hideRc: ctx.options.hideRc });
  try {
    const sub: Ctx = { ...ctx, fleet: diag };
    const inventory = join(ctx.scratch, 'inventory.diag.yaml');
    writeFileSync(
      inventory,
      inventoryYaml({
        ports: diag.ports,
        identityFile: diag.clientKey,
        knownHostsFile: diag.knownHosts,
        layout: 'labs',
        chronySyncWaitSeconds: 0,
      }),
    );
    writeFileSync(join(ctx.scratch, 'ports.1'), `${diag.ports[0]}\n`);
    writeFloorBundle(sub, 1);
    for (const v of ['labspec-c16', 'floor'] as Variant[])
      rmSync((await runOnce(sub, v, 1, inventory)).reports, { recursive: true, force: true });
    writeFileSync(join(ctx.scratch, 'ports.1'), `${ctx.fleet.ports[0]}\n`);
    const log = readFileSync(diag.logs[0]!, 'utf8');
    return log
      .split(/^(?=Connection from )/m)
      .slice(1)
      .map((c) => ({
        client: /remote software version (\S+)/.exec(c)?.[1] ?? '?',
        kex: /kex: algorithm: (\S+)/.exec(c)?.[1] ?? '?',
        hostKey: /kex: host key algorithm: (\S+)/.exec(c)?.[1] ?? '?',
        cipher: /kex: client->server cipher: (\S+) MAC: (\S+)/.exec(c)?.slice(1, 3).join(' MAC ') ?? '?',
      }))
      .filter((x) => x.kex !== '?'); // the readiness check's connections: banner only
  } finally {
    diag.stop();
  }
}

/**
 * A lab of a controller and a compute, with the compute's chrony wait at the inventory default (10 s) and at 0.
 * This machine runs no chronyd under systemd: the wait has nothing to wait for, and must say so at once.
 */
async function chronyWait(ctx: Ctx) {
  const out: { waitSeconds: number; wallSeconds: number; computeChronyMs: number | null; waitSaid: string }[] = [];
  for (const wait of [10, 0]) {
    const inventory = join(ctx.scratch, `inventory.chrony${wait}.yaml`);
    writeFileSync(
      inventory,
      inventoryYaml({
        ports: ctx.fleet.ports.slice(0, 2),
        identityFile: ctx.fleet.clientKey,
        knownHostsFile: ctx.fleet.knownHosts,
        layout: 'labs',
        chronySyncWaitSeconds: wait,
      }),
    );
    const { measured, reports } = await runOnce(ctx, 'labspec-c16', 2, inventory);
    const compute = JSON.parse(readFileSync(join(reports, 'facts', 'host2.json'), 'utf8')) as {
      outputs: { probe: string; part: string; stdout: string; durationMs: number | null }[];
    };
    const parts = compute.outputs.filter((p) => p.probe === 'chronySources');
    const waitPart = parts.find((p) => p.part === 'wait');
    out.push({
      waitSeconds: wait,
      wallSeconds: measured.wallMs / 1000,
      computeChronyMs: parts.every((p) => p.durationMs !== null)
        ? parts.reduce((sum, p) => sum + p.durationMs!, 0)
        : null,
      waitSaid: waitPart ? waitPart.stdout.trim().split('\n').slice(-2).join(', ') : 'no wait sent',
    });
    rmSync(reports, { recursive: true, force: true });
  }
  return out;
}

/** A CPU profile of one labspec run at N hosts, summarized. */
async function profileRun(
  ctx: Ctx,
  n: number,
  profileDir: string,
): Promise<ProfileSummary & { wallMs: number; cpuSeconds: number | null }> {
  mkdirSync(profileDir, { recursive: true });
  const inventory = join(ctx.scratch, `inventory.${n}.yaml`);
  const { measured, reports } = await runOnce(ctx, 'labspec-c16', n, inventory, { cpuProf: profileDir });
  const results = JSON.parse(readFileSync(join(reports, 'results.json'), 'utf8')) as ResultsJson;
  rmSync(reports, { recursive: true, force: true });
  const file = readdirSync(profileDir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(profileDir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (!file) throw new Error(`no .cpuprofile in ${profileDir}`);
  // Epoch → CLOCK_MONOTONIC µs (the profile's clock), through the spawn instant both clocks saw.
  const toUs = (epochMs: number) =>
    Number(measured.spawnedAtMonoNs / 1000n) + (epochMs - measured.spawnedAtEpochMs) * 1000;
  const runStart = toUs(Date.parse(results.run.startedAt));
  const firstHost = toUs(Math.min(...results.hosts.map((h) => Date.parse(h.startedAt))));
  const lastHostEnd = toUs(Math.max(...results.hosts.map((h) => Date.parse(h.startedAt) + h.durationMs)));
  const end = Number(measured.exitedAtMonoNs / 1000n);
  const summary = summarizeProfile(file, [
    { name: 'start-up (imports, CLI) until the run starts', fromUs: 0, toUs: runStart },
    { name: 'inventory, until the first host starts', fromUs: runStart, toUs: firstHost },
    { name: 'gathering: connections, probes, parsing', fromUs: firstHost, toUs: lastHostEnd },
    { name: 'after the last host: judging, reports, exit', fromUs: lastHostEnd, toUs: end },
  ]);
  return { ...summary, wallMs: measured.wallMs, cpuSeconds: measured.cpuSeconds };
}

// ---------------------------------------------------------------------------------------------------------------
// Output

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '-');
const perHost = (p: PerHost) => (p.min === p.max ? f2(p.mean) : `${f2(p.mean)} (${p.min}–${p.max})`);

function tableRows(ms: Measurement[]): string[][] {
  return ms.map((m) => [
    String(m.hosts),
    m.label,
    String(m.wall.n),
    f2(m.wall.median),
    `${f2(m.wall.min)}–${f2(m.wall.max)}`,
    m.ratioToFloor === null ? '-' : `${f2(m.ratioToFloor)}×`,
    m.cpu ? f2(m.cpu.median) : '-',
    f0(m.peakTreeRssMiB.median),
    perHost(m.connectionsPerHost),
    perHost(m.execsPerHost),
    m.hostsOk,
  ]);
}
const HEADER = [
  'hosts',
  'what',
  'runs',
  'median s',
  'min–max s',
  '÷ floor',
  'CPU s',
  'peak RSS MiB',
  'conn/host',
  'exec/host',
  'hosts read',
];

function markdownTable(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (process.getuid?.() !== 0) throw new Error('the benchmark starts sshd (privilege separation): run it as root');
  for (const tool of ['/usr/sbin/sshd', 'ssh', 'ssh-keygen', 'xargs', 'unshare'])
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
      throw new Error(`${tool} is missing (apt-get install openssh-server openssh-client findutils util-linux)`);
  const swept = sweepLeftovers();
  for (const s of swept) console.log(`bench: killed what an interrupted run left: ${s}`);

  const env = cleanEnv();
  const build = options.build ? ensureBuild(env) : 'not checked (--no-build)';
  const started = new Date();
  const stamp = started.toISOString().replace(/[-:]/g, '').slice(0, 13); // 20261130T1935
  const name = `${stamp}-hosts-${options.hosts.join('-')}${options.label ? `-${options.label.replace(/[^\w.-]+/g, '_')}` : ''}`;
  const scratch = mkdtempSync(join(tmpdir(), `${TMP_PREFIX}run-`));
  writeFileSync(join(scratch, 'owner'), String(process.pid));
  scratchDirs.add(scratch);
  const maxN = Math.max(...options.hosts);
  const info = machine();
  const loadAtStart = load();
  console.log(
    `bench: ${info.cpus} CPUs, load ${loadAtStart.join(' ')}; node ${info.node}; ${info.openssh}; ${build}; starting ${maxN} sshd …`,
  );
  const t0 = performance.now();
  const fleet = await startFleet(maxN, { hideRc: options.hideRc });
  const fleetStartSeconds = (performance.now() - t0) / 1000;
  console.log(
    `bench: ${maxN} sshd up on 127.0.0.1 in ${fleetStartSeconds.toFixed(1)} s${fleet.hiddenRcFiles.length ? ` (${fleet.hiddenRcFiles.join(', ')} hidden from their sessions)` : ''}`,
  );
  try {
    console.log('bench: installing labspec from its npm pack tarball, as users do …');
    const installed = installPackage(scratch, env);
    const testinfra: Testinfra = options.testinfra ? findTestinfra(env) : { skipped: 'not asked for' };
    const testinfraNote = !options.testinfra
      ? null
      : 'python' in testinfra
        ? `pytest-testinfra ${testinfra.testinfra} (pytest ${testinfra.pytest}, ${testinfra.python})${testinfra.xdist ? `, pytest-xdist ${testinfra.xdist}` : ', no pytest-xdist: sequential only'}`
        : `testinfra rows skipped: ${testinfra.skipped}`;
    if (testinfraNote) console.log(`bench: ${testinfraNote}`);
    const ctx: Ctx = { env, installed, scratch, fleet, options, testinfra, broken: [], bundleChecks: [] };

    const startup = await measureStartup(ctx);
    const perN: Awaited<ReturnType<typeof measureN>>[] = [];
    for (const [i, n] of options.hosts.entries()) perN.push(await measureN(ctx, n, i === 0));
    const all = perN.flatMap((p) => p.measurements);
    const byN = (n: number, v: Variant) => all.find((m) => m.hosts === n && m.variant === v);
    const minN = options.hosts[0]!;
    const vitestStartup = (() => {
      const npmTest = byN(minN, 'npm-test');
      const labspec = byN(minN, 'labspec-c16');
      const direct = byN(minN, 'vitest-direct');
      if (!npmTest || !labspec) return null;
      return {
        hosts: minN,
        npmTestMinusLabspecSeconds: npmTest.wall.median - labspec.wall.median,
        npmOwnSeconds: direct ? npmTest.wall.median - direct.wall.median : null,
        vitestMinusLabspecSeconds: direct ? direct.wall.median - labspec.wall.median : null,
      };
    })();
    console.log('bench: the key exchange each client negotiates (sshd at DEBUG1) …');
    const negotiation = await negotiated(ctx);
    const chrony = options.chronyDemo ? (console.log('bench: chrony wait …'), await chronyWait(ctx)) : null;
    let profile: (ProfileSummary & { wallMs: number; cpuSeconds: number | null }) | null = null;
    if (options.profile) {
      console.log(`bench: CPU profile of labspec run at ${maxN} hosts …`);
      profile = await profileRun(ctx, maxN, join(ROOT, 'bench/profiles', name));
    }
    const loadAtEnd = load();

    const results = {
      schema: 'labspec/bench-fleet@1',
      name,
      label: options.label,
      startedAt: started.toISOString(),
      durationSeconds: (Date.now() - started.getTime()) / 1000,
      machine: { ...info, loadAtStart, loadAtEnd, gnuTime: hasGnuTime },
      setup: {
        hosts: options.hosts,
        layout: options.layout,
        sshd: `${maxN} × /usr/sbin/sshd -D on 127.0.0.1, one sshd_config each, LogLevel ${fleet.logLevel}, same ed25519 host key, UsePAM no`,
        clientKey: 'ECDSA P-256, unencrypted, no agent',
        hiddenRcFiles: fleet.hiddenRcFiles,
        fleetStartSeconds,
        chronySyncWaitSeconds: 0,
        floorBundles: ctx.bundleChecks,
        floorCommand: `xargs -P ${FLOOR_PARALLEL} -n 1 -a PORTS sh -c 'exec ssh -F none -o BatchMode=yes -o ControlMaster=no -o ControlPath=none -o IdentitiesOnly=yes -o IdentityAgent=none -o UpdateHostKeys=no -o StrictHostKeyChecking=yes -o UserKnownHostsFile=KNOWN_HOSTS -o GlobalKnownHostsFile=/dev/null -i KEY -p "$1" -l root 127.0.0.1 "env LC_ALL=C /bin/sh -s" <BUNDLE >/dev/null' sh`,
        labspecCommand: `${options.labspecNodeArgs.length ? `${process.execPath} ${options.labspecNodeArgs.join(' ')} APP/node_modules/labspec/dist/bin/labspec.js` : 'APP/node_modules/.bin/labspec'} run --inventory INV --reports TMP -q [--concurrency 8], APP: npm install TARBALL --omit=dev --ignore-scripts`,
        testinfra: testinfraNote,
        testinfraCommand: `${'python' in testinfra ? testinfra.python : 'python3'} -m pytest -q -p no:cacheprovider --hosts=ssh://root@127.0.0.1:PORT,… (paramiko://… for the paramiko row) --ssh-identity-file KEY --ssh-config=SSH_CONFIG --lab=LAB.json [-n 2] bench/testinfra/test_lab.py; SSH_CONFIG: Host 127.0.0.1 BatchMode yes, IdentitiesOnly yes, IdentityAgent none, UpdateHostKeys no, StrictHostKeyChecking yes, UserKnownHostsFile KNOWN_HOSTS, GlobalKnownHostsFile /dev/null, LogLevel ERROR[, ControlPath DIR/%p]; testinfra adds -o ControlMaster=auto -o ControlPersist=60s -o ConnectTimeout=10`,
        rssSampling: '/proc/PID/statm of the process tree every 20 ms, summed; CPU from GNU time (user+sys, tree)',
        build,
      },
      measurements: all,
      phases: Object.fromEntries(options.hosts.map((n, i) => [n, perN[i]!.phases])),
      load: Object.fromEntries(options.hosts.map((n, i) => [n, perN[i]!.load])),
      startup,
      vitestStartup,
      negotiation,
      chronyWait: chrony,
      profile,
      broken: ctx.broken,
    };

    // ---- print and write
    const rows = tableRows(all);
    const md: string[] = [];
    md.push(`# labspec fleet benchmark ${name}`, '');
    md.push(
      `${info.cpus} × ${info.cpuModel}, Linux ${info.kernel}, node ${info.node}, ${info.openssh}, ssh2 ${info.ssh2}; labspec ${info.commit}${info.modifiedFiles.length ? ` + modified ${info.modifiedFiles.join(', ')}` : ''}.`,
      `Load average (1/5/15 min) at start ${loadAtStart.join(' ')}, at end ${loadAtEnd.join(' ')}; per N: ${options.hosts.map((n, i) => `${n}: ${perN[i]!.load.before[0]}→${perN[i]!.load.after[0]}`).join(', ')}.`,
      `Every host is this machine: ${results.setup.sshd}; ${results.setup.clientKey}; ${options.layout === 'labs' ? 'labs of 2 hosts (controller + compute)' : 'one lab'}; chronySyncWaitSeconds 0; cold connections, no ControlMaster.${fleet.hiddenRcFiles.length ? ` ${fleet.hiddenRcFiles.join(', ')} hidden from the sessions.` : ''}${options.label ? ` Label: ${options.label}; labspec node args: ${options.labspecNodeArgs.join(' ') || '-'}.` : ''}`,
      '',
      markdownTable(HEADER, rows),
      '',
      ...(testinfraNote
        ? [
            `testinfra: ${testinfraNote}; bench/testinfra/test_lab.py, labspec's host checks as testinfra tests. "as it comes": testinfra 7's ssh backend adds ControlMaster=auto and ControlPersist=60s but no ControlPath, so ssh shares nothing: a connection per command. "ControlPath": a new folder per run, the masters closed after it (cold). "paramiko": one connection per host in pytest's process (host key not checked against known_hosts). pytest's result (the hosts are this machine, not CentOS: most tests fail): ${[
              ...new Set(all.flatMap((m) => m.runs.map((r) => r.pytestSummary).filter((x): x is string => Boolean(x)))),
            ]
              .map((x) => x.replace(/ in [\d.]+s.*/, ''))
              .filter((x, i, a) => a.indexOf(x) === i)
              .join('; ')}.`,
            '',
          ]
        : []),
      '÷ floor: median wall time over the floor\'s median at the same N. CPU: user+sys of the whole process tree (GNU time). Peak RSS: the process tree\'s summed RSS, sampled every 20 ms, median over runs. conn/host, exec/host: "Accepted publickey" and "Starting session: command" lines in each host\'s sshd log, per run and host.',
      '',
    );
    md.push('## Start-up alone (median of 10)', '');
    md.push(
      markdownTable(
        ['what', 'median ms', 'min–max ms', 'RSS MiB'],
        startup.map((s) => [
          s.what,
          f0(s.ms.median),
          `${f0(s.ms.min)}–${f0(s.ms.max)}`,
          s.rssMiB === null ? '-' : f0(s.rssMiB),
        ]),
      ),
      '',
    );
    if (vitestStartup) {
      md.push(
        `vitest's own start-up at ${vitestStartup.hosts} host${vitestStartup.hosts > 1 ? 's' : ''}: npm test − labspec run = ${f2(vitestStartup.npmTestMinusLabspecSeconds)} s` +
          (vitestStartup.npmOwnSeconds !== null
            ? ` (of which npm itself ${f2(vitestStartup.npmOwnSeconds)} s, vitest ${f2(vitestStartup.vitestMinusLabspecSeconds!)} s)`
            : '') +
          '.',
        '',
      );
    }
    md.push('## Phases of the last `labspec run` (concurrency 16), from its reports', '');
    md.push(
      markdownTable(
        [
          'hosts',
          'start-up s',
          'gather s',
          'after gather s',
          'host connect ms (median / max)',
          'host total ms (median / max)',
          'on the host ms (median)',
          'slowest probe parts (median ms)',
          'results.json / junit / facts KiB',
        ],
        options.hosts.flatMap((n, i) => {
          const p = perN[i]!.phases;
          if (!p) return [];
          return [
            [
              String(n),
              f2(p.startupMs / 1000),
              f2(p.gatherMs / 1000),
              f2(p.afterGatherMs / 1000),
              `${f0(p.host.connectMsMedian)} / ${f0(p.host.connectMsMax)}`,
              `${f0(p.host.durationMsMedian)} / ${f0(p.host.durationMsMax)}`,
              f0(p.host.remoteMsMedian),
              p.slowestParts.map((s) => `${s.part} ${f0(s.medianMs)}`).join(', '),
              `${f0(p.reportBytes.resultsJson / 1024)} / ${f0(p.reportBytes.junitXml / 1024)} / ${f0(p.reportBytes.facts / 1024)}`,
            ],
          ];
        }),
      ),
      '',
    );
    md.push('## Negotiated (sshd DEBUG1)', '');
    md.push(
      markdownTable(
        ['client', 'kex', 'host key', 'cipher'],
        negotiation.map((x) => [x.client, x.kex, x.hostKey, x.cipher]),
      ),
      '',
    );
    if (chrony) {
      md.push(
        "## The compute's chrony wait (a 2-host lab; this machine runs no chronyd under systemd and has no chronyc)",
        '',
      );
      md.push(
        markdownTable(
          ['chronySyncWaitSeconds', 'labspec run s', "compute's chronySources ms (wait + sources)", 'the wait said'],
          chrony.map((c) => [
            String(c.waitSeconds),
            f2(c.wallSeconds),
            c.computeChronyMs === null ? '-' : f0(c.computeChronyMs),
            c.waitSaid,
          ]),
        ),
        '',
      );
    }
    if (profile) {
      md.push(`## CPU profile: labspec run at ${maxN} hosts (${f2(profile.wallMs / 1000)} s with the profiler)`, '');
      md.push(
        `Profile: ${relative(ROOT, profile.file)} (not committed). The process used ${profile.cpuSeconds === null ? '?' : f2(profile.cpuSeconds)} s of CPU (GNU time); V8 samples wall-clock ticks, so on a loaded machine the time a thread waits for a CPU is charged to what it was running: read the seconds below as shares of ${f2(profile.sampledMs / 1000)} s of samples, not as CPU.`,
        '',
      );
      md.push(
        markdownTable(
          ['phase', 'wall s', 'busy samples s', 'idle s', 'largest categories (busy samples s)'],
          profile.phases.map((p) => [
            p.name,
            f2(p.wallMs / 1000),
            f2(p.cpuMs / 1000),
            f2(p.idleMs / 1000),
            Object.entries(p.byCategory)
              .filter(([c]) => c !== 'idle')
              .sort((a, b) => b[1] - a[1])
              .slice(0, 5)
              .map(([c, ms]) => `${c} ${f2(ms / 1000)}`)
              .join(', '),
          ]),
        ),
        '',
        markdownTable(
          ['category', 'self samples s', '% of busy'],
          profile.categories.map((c) => [c.category, f2(c.ms / 1000), Number.isNaN(c.pct) ? '-' : f1(c.pct)]),
        ),
        '',
        markdownTable(
          ['top self time', 'where', 'category', 'ms', '% of busy'],
          profile.topSelf.slice(0, 20).map((t) => [t.fn, t.where, t.category, f0(t.ms), f1(t.pct)]),
        ),
        '',
        markdownTable(
          ['labspec function (inclusive)', 'where', 'ms', '% of busy'],
          profile.topInclusiveLabspec.slice(0, 15).map((t) => [t.fn, t.where, f0(t.ms), f1(t.pct)]),
        ),
        '',
      );
    }
    if (ctx.broken.length) md.push('## Broken', '', ...ctx.broken.map((b) => `- ${b}`), '');

    mkdirSync(options.out, { recursive: true });
    const jsonFile = join(options.out, `${name}.json`);
    const mdFile = join(options.out, `${name}.md`);
    writeFileSync(jsonFile, await asPrettierJson(results));
    writeFileSync(mdFile, `${md.join('\n')}\n`);

    console.log('');
    console.log(textTable(HEADER, rows));
    console.log('');
    for (const s of startup)
      console.log(`start-up: ${s.what.padEnd(36)} median ${f0(s.ms.median)} ms (${f0(s.ms.min)}–${f0(s.ms.max)})`);
    if (vitestStartup)
      console.log(
        `vitest start-up (npm test − labspec run at ${vitestStartup.hosts} host${vitestStartup.hosts > 1 ? 's' : ''}): ${f2(vitestStartup.npmTestMinusLabspecSeconds)} s${vitestStartup.npmOwnSeconds !== null ? ` (npm ${f2(vitestStartup.npmOwnSeconds)} s + vitest ${f2(vitestStartup.vitestMinusLabspecSeconds!)} s)` : ''}`,
      );
    for (const x of negotiation) console.log(`negotiated: ${x.client}: ${x.kex}, ${x.hostKey}, ${x.cipher}`);
    if (chrony)
      for (const c of chrony)
        console.log(
          `chrony wait ${c.waitSeconds} s: 2-host lab in ${f2(c.wallSeconds)} s (compute's chrony parts ${c.computeChronyMs ?? '-'} ms; ${c.waitSaid})`,
        );
    console.log(`load average: start ${loadAtStart.join(' ')}, end ${loadAtEnd.join(' ')}`);
    console.log(`bench: wrote ${relative(ROOT, jsonFile)} and ${relative(ROOT, mdFile)}`);
    if (ctx.broken.length) {
      console.error(`bench: BROKEN:\n${ctx.broken.map((b) => `  ${b}`).join('\n')}`);
      return 1;
    }
    return 0;
  } finally {
    fleet.stop();
    rmSync(scratch, { recursive: true, force: true });
    scratchDirs.delete(scratch);
  }
}

/** The results as `prettier --check .` (npm run lint) wants them, so they can be committed; plain JSON without prettier. */
async function asPrettierJson(value: unknown): Promise<string> {
  const json = `${JSON.stringify(value, null, 2)}\n`;
  try {
    const prettier = await import('prettier');
    const config = (await prettier.resolveConfig(join(ROOT, 'bench/results/x.json'))) ?? {};
    return await prettier.format(json, { ...config, parser: 'json' });
  } catch {
    return json;
  }
}

/** Temp folders to remove if a signal ends the benchmark. */
const scratchDirs = new Set<string>();

/** Ctrl-C, kill: the measured command's tree and every sshd, by PID, then the signal's exit code. */
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}: stopping what it started …`);
    for (const pid of running) {
      for (const p of [...descendantsOf(pid), pid]) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    stopAll();
    for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
    process.exit(code);
  });
}

main().then(
  (code) => {
    stopAll();
    process.exit(code);
  },
  (error: unknown) => {
    stopAll();
    console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
