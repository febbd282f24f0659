/**
 * A small GitHub Actions runner for the templates in examples/ci/github: it runs a workflow's jobs in `needs`
 * order (a matrix's jobs concurrently, each on a machine of its own), and each job's `run:` steps in order with
 * the env the workflow, job and step set, the shell GitHub uses, and GITHUB_ENV / GITHUB_PATH applied between
 * steps. `${{ }}` expressions are evaluated from a fixed set of contexts; anything else is an error, so a
 * template cannot rely on something this runner would only pretend to understand.
 *
 * Steps that use an action are not run. Only these may appear, each asserted on its inputs:
 * - actions/checkout: the job's workspace is a copy of the repository folder the test gives;
 * - actions/setup-node: the Node its node-version names, from the test's shelf, first on PATH for the next steps;
 * - actions/upload-artifact, actions/download-artifact: the reports go from job to job through a folder standing
 *   in for the run's artifact store (files and folders only: symbolic links are dropped);
 * - dorny/test-reporter: publication of the JUnit, recorded with the report it names, which must exist.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { copyWithoutLinks, nodeFor, runShell, type NodeShelf, type StepRun } from './shell.ts';

type Scalar = string | number | boolean;

interface WorkflowStep {
  name?: string;
  id?: string;
  if?: string;
  run?: string;
  uses?: string;
  with?: Record<string, Scalar>;
  env?: Record<string, Scalar>;
  shell?: string;
  'working-directory'?: string;
  'timeout-minutes'?: number;
}

interface WorkflowJob {
  name?: string;
  'runs-on': string;
  needs?: string | string[];
  if?: string;
  env?: Record<string, Scalar>;
  strategy?: { 'fail-fast'?: boolean; matrix?: Record<string, Scalar[]> };
  permissions?: Record<string, string>;
  'timeout-minutes'?: number;
  defaults?: { run?: { shell?: string } };
  steps: WorkflowStep[];
}

export interface Workflow {
  name?: string;
  on: Record<string, { inputs?: Record<string, { default?: Scalar; required?: boolean }> } | null>;
  env?: Record<string, Scalar>;
  permissions?: Record<string, string>;
  defaults?: { run?: { shell?: string } };
  jobs: Record<string, WorkflowJob>;
}

const JOB_KEYS = new Set(['name', 'runs-on', 'needs', 'if', 'env', 'strategy', 'permissions', 'timeout-minutes']);
const STEP_KEYS = new Set(['name', 'id', 'if', 'run', 'uses', 'with', 'env', 'shell', 'timeout-minutes']);

export interface ActionStep {
  /** `owner/name` without the version. */
  action: string;
  with: Record<string, string>;
}

export interface StepRecord {
  name: string;
  /** The run: script after expressions, or the action used. */
  run?: string;
  uses?: ActionStep;
  /** false when an `if:` kept it from running, or an earlier step failed. */
  ran: boolean;
  result?: StepRun;
}

export interface JobRecord {
  /** The job's id, with its matrix values for a matrix job: `shard (2)`. */
  id: string;
  matrix: Record<string, Scalar>;
  result: 'success' | 'failure' | 'skipped';
  workspace: string;
  steps: StepRecord[];
  /** Reports handed to the publication action: the paths it names, as found in the workspace. */
  published: string[];
}

export interface WorkflowRunOptions {
  /** The folder each job runs its own copy of (actions/checkout). */
  repository: string;
  /** A fresh machine's environment (see machineEnv): each job runs on a machine of its own. */
  machine: () => Record<string, string>;
  /** The Node versions setup-node can install. */
  nodes: NodeShelf;
  /** Where jobs' workspaces, temp folders and the artifact store go. */
  root: string;
  inputs?: Record<string, string>;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  /** `on:` event the run stands for (default: the first one the workflow lists). */
  event?: string;
}

export interface WorkflowRun {
  conclusion: 'success' | 'failure';
  jobs: JobRecord[];
  artifacts: string;
}

export function loadWorkflow(path: string): Workflow {
  const workflow = parse(readFileSync(path, 'utf8')) as Workflow;
  for (const [id, job] of Object.entries(workflow.jobs)) {
    for (const key of Object.keys(job)) {
      if (!JOB_KEYS.has(key) && key !== 'steps' && key !== 'defaults')
        throw new Error(`${path}: job ${id}: ${key} is not something this runner models`);
    }
    for (const step of job.steps) {
      for (const key of Object.keys(step)) {
        if (!STEP_KEYS.has(key) && key !== 'working-directory')
          throw new Error(`${path}: job ${id}: step ${step.name ?? step.uses}: ${key} is not modelled`);
      }
    }
  }
  return workflow;
}

interface Contexts {
  inputs: Record<string, string>;
  secrets: Record<string, string>;
  vars: Record<string, string>;
  matrix: Record<string, Scalar>;
  strategy: Record<string, Scalar>;
  github: Record<string, string>;
  runner: Record<string, string>;
  env: Record<string, string>;
  /** Whether a step (or a needed job) before this one failed. */
  failed: boolean;
}

/** One `${{ }}` expression: a context's property, or a status function in an `if:`. */
function evaluate(expression: string, ctx: Contexts): Scalar {
  const e = expression.trim();
  const status: Record<string, boolean> = {
    'always()': true,
    'success()': !ctx.failed,
    'failure()': ctx.failed,
    'cancelled()': false,
    '!cancelled()': true,
  };
  if (e in status) return status[e]!;
  const path = /^(inputs|secrets|vars|matrix|strategy|github|runner|env)\.([A-Za-z_][\w-]*)$/.exec(e);
  if (!path) throw new Error(`\${{ ${e} }}: not an expression this runner evaluates`);
  const [, context, property] = path as unknown as [string, keyof Contexts, string];
  const value = (ctx[context] as Record<string, Scalar>)[property!];
  if (value === undefined && ['matrix', 'strategy', 'github', 'runner'].includes(context))
    throw new Error(`\${{ ${e} }}: ${context} has no ${property} here`);
  // GitHub gives '' for an unset secret, variable or env entry.
  return value ?? '';
}

function interpolate(text: Scalar, ctx: Contexts): string {
  return String(text).replace(/\$\{\{(.*?)\}\}/g, (_, expression: string) => String(evaluate(expression, ctx)));
}

function condition(text: string | undefined, ctx: Contexts): boolean {
  if (text === undefined) return !ctx.failed;
  const inner = /^\s*\$\{\{(.*)\}\}\s*$/.exec(text)?.[1] ?? text;
  const value = evaluate(inner, ctx);
  return value === true || value === 'true';
}

/** The shell GitHub uses for a run: step on Linux, `{0}` being the script file. */
function shellArgv(shell: string | undefined, script: string): string[] {
  if (shell === undefined) return ['bash', '-e', script];
  if (shell === 'bash') return ['bash', '--noprofile', '--norc', '-eo', 'pipefail', script];
  if (shell === 'sh') return ['sh', '-e', script];
  throw new Error(`shell: ${shell} is not modelled`);
}

/** GITHUB_ENV's `NAME=value` and `NAME<<DELIMITER` forms. */
function readEnvFile(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = existsSync(path) ? readFileSync(path, 'utf8').split('\n') : [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const value: string[] = [];
      while (++i < lines.length && lines[i] !== heredoc[2]) value.push(lines[i]!);
      out[heredoc[1]!] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

const text = (value: Scalar | undefined) => (value === undefined ? undefined : String(value));

/** Returns the reason the step failed, as the action would; throws when the template asks for what is not modelled. */
type ActionHandler = (step: ActionStep, job: JobState) => string | void;

interface JobState {
  record: JobRecord;
  artifacts: string;
  repository: string;
  nodes: NodeShelf;
  /** Folders put first on PATH for the steps after this one (GITHUB_PATH), last added first. */
  path: string[];
}

/** The actions a template may use, none of which does labspec's work. */
const ACTIONS: Record<string, { versions: RegExp; handle: ActionHandler }> = {
  'actions/checkout': {
    versions: /^v[45]$/,
    handle: (step, job) => {
      if (step.with.repository) throw new Error('actions/checkout: only the workflow\u2019s own repository');
      copyWithoutLinks(job.repository, job.record.workspace);
    },
  },
  'actions/setup-node': {
    versions: /^v[45]$/,
    handle: (step, job) => {
      job.path.unshift(nodeFor(step.with['node-version'] ?? '', job.nodes));
    },
  },
  'actions/upload-artifact': {
    versions: /^v4$/,
    handle: (step, job) => {
      const name = step.with.name;
      const paths = (step.with.path ?? '').split('\n').filter(Boolean);
      if (!name || paths.length !== 1) throw new Error('actions/upload-artifact: one name and one path, as modelled');
      const store = join(job.artifacts, name);
      if (existsSync(store)) return `an artifact named ${name} exists already`;
      const files = copyWithoutLinks(resolve(job.record.workspace, paths[0]!), store);
      if (files === 0 && step.with['if-no-files-found'] === 'error') return `no files were found under ${paths[0]}`;
    },
  },
  'actions/download-artifact': {
    versions: /^v4$/,
    handle: (step, job) => {
      const into = resolve(job.record.workspace, step.with.path ?? '.');
      const pattern = step.with.pattern;
      if (!pattern || step.with.name || step.with['merge-multiple'] === 'true')
        throw new Error('actions/download-artifact: pattern: without merge-multiple, as modelled');
      const glob = new RegExp(
        `^${pattern
          .replace(/[.+^$()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      );
      const names = existsSync(job.artifacts) ? readdirSync(job.artifacts).filter((n) => glob.test(n)) : [];
      // Without merge-multiple, each artifact lands in a folder named after it.
      for (const name of names) copyWithoutLinks(join(job.artifacts, name), join(into, name));
    },
  },
  'dorny/test-reporter': {
    versions: /^v[12]$/,
    handle: (step, job) => {
      if (step.with.reporter !== 'java-junit') throw new Error('dorny/test-reporter: reporter java-junit');
      for (const path of (step.with.path ?? '').split(',').filter(Boolean))
        job.record.published.push(resolve(job.record.workspace, path.trim()));
    },
  },
};

async function runJob(
  workflow: Workflow,
  id: string,
  matrix: Record<string, Scalar>,
  strategy: Record<string, Scalar>,
  needsFailed: boolean,
  options: WorkflowRunOptions,
  artifacts: string,
): Promise<JobRecord> {
  const job = workflow.jobs[id]!;
  const label = Object.keys(matrix).length ? `${id} (${Object.values(matrix).join(', ')})` : id;
  const machine = mkdtempSync(join(options.root, `${id}-`));
  const workspace = join(machine, 'workspace');
  const temp = join(machine, 'temp');
  mkdirSync(workspace);
  mkdirSync(temp);
  const record: JobRecord = { id: label, matrix, result: 'success', workspace, steps: [], published: [] };
  const ctx: Contexts = {
    inputs: declaredInputs(workflow, options),
    secrets: options.secrets ?? {},
    vars: options.vars ?? {},
    matrix,
    strategy,
    github: { workspace, run_id: '4242', job: id, event_name: options.event ?? Object.keys(workflow.on)[0]! },
    runner: { temp, os: 'Linux' },
    env: {},
    failed: needsFailed,
  };
  if (!condition(job.if, ctx)) return { ...record, result: 'skipped' };
  ctx.failed = false;

  const builtIn = {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_RUN_ID: '4242',
    GITHUB_JOB: id,
    RUNNER_TEMP: temp,
    RUNNER_OS: 'Linux',
  };
  const jobEnv: Record<string, string> = { ...builtIn };
  for (const [k, v] of Object.entries(workflow.env ?? {})) jobEnv[k] = interpolate(v, { ...ctx, env: jobEnv });
  for (const [k, v] of Object.entries(job.env ?? {})) jobEnv[k] = interpolate(v, { ...ctx, env: jobEnv });
  const machineEnv = options.machine();
  const path: string[] = [];
  const state: JobState = { record, artifacts, repository: options.repository, nodes: options.nodes, path };

  for (const [index, step] of job.steps.entries()) {
    ctx.env = jobEnv;
    const name = step.name ? interpolate(step.name, ctx) : (step.uses ?? `step ${index + 1}`);
    const entry: StepRecord = { name, ran: false };
    record.steps.push(entry);
    if (!condition(step.if, ctx)) continue;
    const stepEnv: Record<string, string> = { ...jobEnv };
    for (const [k, v] of Object.entries(step.env ?? {})) stepEnv[k] = interpolate(v, { ...ctx, env: stepEnv });
    if (step.uses !== undefined) {
      const [action, version] = step.uses.split('@') as [string, string | undefined];
      const known = ACTIONS[action];
      if (!known) throw new Error(`${label}: ${step.uses}: not an action a labspec template may use`);
      if (!version || !known.versions.test(version)) throw new Error(`${label}: ${step.uses}: pin a supported version`);
      entry.uses = {
        action,
        with: Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, interpolate(v, ctx)])),
      };
      const failure = known.handle(entry.uses, state);
      entry.ran = true;
      entry.result = { code: failure ? 1 : 0, log: failure ?? '' };
      if (failure) ctx.failed = true;
      continue;
    }
    const script = interpolate(step.run ?? '', ctx);
    entry.run = script;
    const file = join(temp, `step-${index + 1}.sh`);
    writeFileSync(file, script);
    const files = { GITHUB_ENV: `env-${index}`, GITHUB_PATH: `path-${index}`, GITHUB_OUTPUT: `output-${index}` };
    const env: Record<string, string> = {
      ...machineEnv,
      ...stepEnv,
      PATH: [...path, machineEnv.PATH ?? ''].join(':'),
      GITHUB_STEP_SUMMARY: join(temp, 'summary.md'),
    };
    for (const [variable, f] of Object.entries(files)) env[variable] = join(temp, f);
    const cwd = step['working-directory'] ? resolve(workspace, step['working-directory']) : workspace;
    entry.result = await runShell(
      shellArgv(step.shell ?? job.defaults?.run?.shell ?? workflow.defaults?.run?.shell, file),
      env,
      cwd,
    );
    entry.ran = true;
    Object.assign(jobEnv, readEnvFile(env.GITHUB_ENV!));
    const added = existsSync(env.GITHUB_PATH!)
      ? readFileSync(env.GITHUB_PATH!, 'utf8').split('\n').filter(Boolean)
      : [];
    path.unshift(...added.reverse());
    if (entry.result.code !== 0) ctx.failed = true;
  }
  record.result = ctx.failed ? 'failure' : 'success';
  return record;
}

function declaredInputs(workflow: Workflow, options: WorkflowRunOptions): Record<string, string> {
  const event = options.event ?? Object.keys(workflow.on)[0]!;
  const declared = workflow.on[event]?.inputs ?? {};
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declared)) {
    const given = options.inputs?.[name];
    if (given === undefined && spec.required) throw new Error(`input ${name} is required`);
    inputs[name] = given ?? text(spec.default) ?? '';
  }
  for (const name of Object.keys(options.inputs ?? {}))
    if (!(name in declared)) throw new Error(`input ${name} is not declared by on.${event}.inputs`);
  return inputs;
}

/** Every combination of a matrix's values, in order. */
function expand(matrix: Record<string, Scalar[]> | undefined): Array<Record<string, Scalar>> {
  let combinations: Array<Record<string, Scalar>> = [{}];
  for (const [key, values] of Object.entries(matrix ?? {})) {
    if (!Array.isArray(values)) throw new Error(`matrix.${key}: only lists of values are modelled`);
    combinations = combinations.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  return combinations;
}

export async function runWorkflow(path: string, options: WorkflowRunOptions): Promise<WorkflowRun> {
  const workflow = loadWorkflow(path);
  const artifacts = join(options.root, 'artifacts');
  mkdirSync(artifacts, { recursive: true });
  const results = new Map<string, JobRecord[]>();
  const jobs: JobRecord[] = [];
  const pending = Object.keys(workflow.jobs);
  while (pending.length) {
    const ready = pending.filter((id) => [workflow.jobs[id]!.needs ?? []].flat().every((n) => results.has(n)));
    if (!ready.length) throw new Error(`jobs ${pending.join(', ')}: needs form a cycle or name no job`);
    for (const id of ready) {
      pending.splice(pending.indexOf(id), 1);
      const job = workflow.jobs[id]!;
      const needsFailed = [job.needs ?? []].flat().some((n) => results.get(n)!.some((j) => j.result !== 'success'));
      const combinations = expand(job.strategy?.matrix);
      if (combinations.length > 1 && job.strategy?.['fail-fast'] !== false)
        throw new Error(`${id}: a matrix with fail-fast cancels its other jobs when one fails; set fail-fast: false`);
      // A matrix's jobs run at once, each on its own machine.
      const records = await Promise.all(
        combinations.map((matrix, index) =>
          runJob(
            workflow,
            id,
            matrix,
            { 'job-index': index, 'job-total': combinations.length, 'fail-fast': false },
            needsFailed,
            options,
            artifacts,
          ),
        ),
      );
      results.set(id, records);
      jobs.push(...records);
    }
  }
  return { conclusion: jobs.some((j) => j.result === 'failure') ? 'failure' : 'success', jobs, artifacts };
}
