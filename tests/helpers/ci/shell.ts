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

/**
 * The environment of a fresh CI machine: this machine's, less the outer npm's and vitest's variables (an
 * inherited npm_config_* would steer the template's npm), with this Node first on PATH as the CI's Node
 * (the templates ask for Node ≥ 22; the tests run on 26) and npm's global folder in `globalPrefix`, where
 * a CI image keeps it, so `npm install --global` lands in the test's folder and its bin is on PATH.
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
  env.PATH = [join(globalPrefix, 'bin'), dirname(process.execPath), env.PATH ?? ''].join(delimiter);
  env.npm_config_prefix = globalPrefix;
  env.npm_config_update_notifier = 'false';
  // A CI cache of npm's downloads: the template's install reads the registry's metadata only when needed.
  env.npm_config_prefer_offline = 'true';
  return env;
}

/** The major version a CI image or action asks for (`node:22-bookworm`, `22`, `22.x`), or NaN. */
export function nodeMajor(spec: string): number {
  const match = /^(?:node:)?(\d+)(?:[.-]|$)/.exec(spec.trim());
  return match ? Number(match[1]) : NaN;
}

/** This Node's major version: the one the tests run the templates' labspec on. */
export const RUNNER_NODE_MAJOR = Number(process.versions.node.split('.')[0]);

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
