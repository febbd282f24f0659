/**
 * A small GitLab CI runner for the templates in examples/ci/gitlab: one job of a pipeline file, run as GitLab's
 * shell executor runs it. Its variables (the file's, the job's, then the predefined and CI/CD ones the test gives)
 * are expanded as GitLab expands them and exported; before_script and script run as one bash script under
 * `set -eo pipefail`, each line a command; after_script in a shell of its own; then the artifacts are collected
 * as `artifacts:when` says. The job's `image:` must be a Node image labspec runs on: that Node, from the test's
 * shelf, is first on PATH. Keys this runner does not model are an error, not ignored.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { nodeFor, runShell, type NodeShelf, type StepRun } from './shell.ts';

interface GitlabJob {
  stage?: string;
  image?: string;
  variables?: Record<string, string | number>;
  before_script?: string[];
  script: string[];
  after_script?: string[];
  artifacts?: {
    when?: 'on_success' | 'on_failure' | 'always';
    expire_in?: string;
    paths?: string[];
    reports?: { junit?: string | string[] };
  };
}

const JOB_KEYS = new Set(['stage', 'image', 'variables', 'before_script', 'script', 'after_script', 'artifacts']);
const TOP_KEYS = new Set(['stages', 'variables']);

export interface GitlabJobRun {
  /** The job's result: its script's exit status. */
  status: 'success' | 'failed';
  script: StepRun;
  /** The job's folder after the run. */
  projectDir: string;
  /** Files collected as artifacts (paths relative to the project folder) and the JUnit reports among them. */
  artifacts: string[];
  junit: string[];
  image: string;
}

/** GitLab's expansion of `$NAME` and `${NAME}` in a variable's value, from the variables defined so far. */
function expand(value: string, vars: Record<string, string>): string {
  return value.replace(/\$(?:\{(\w+)\}|(\w+))/g, (_, braced?: string, bare?: string) => vars[(braced ?? bare)!] ?? '');
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export async function runGitlabJob(
  file: string,
  name: string,
  options: {
    /** The project folder: CI_PROJECT_DIR, the job's working directory. */
    projectDir: string;
    machine: Record<string, string>;
    nodes: NodeShelf;
    /** CI/CD variables (project settings, a dotenv report of an earlier job). */
    variables: Record<string, string>;
  },
): Promise<GitlabJobRun> {
  const pipeline = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  for (const key of Object.keys(pipeline)) {
    const value = pipeline[key] as GitlabJob | undefined;
    if (!TOP_KEYS.has(key) && !(typeof value === 'object' && value !== null && 'script' in value))
      throw new Error(`${file}: ${key} is not something this runner models`);
  }
  const job = pipeline[name] as GitlabJob | undefined;
  if (!job) throw new Error(`${file}: no job ${name}`);
  for (const key of Object.keys(job)) if (!JOB_KEYS.has(key)) throw new Error(`${name}: ${key} is not modelled`);
  const image = job.image ?? '';
  const node = nodeFor(image, options.nodes);
  const stages = (pipeline.stages as string[] | undefined) ?? ['build', 'test', 'deploy'];
  if (!stages.includes(job.stage ?? 'test')) throw new Error(`${name}: stage ${job.stage} is not in stages`);

  const { projectDir } = options;
  mkdirSync(projectDir, { recursive: true });
  const predefined: Record<string, string> = {
    CI: 'true',
    GITLAB_CI: 'true',
    CI_PROJECT_DIR: projectDir,
    CI_JOB_NAME: name,
    CI_JOB_STAGE: job.stage ?? 'test',
    CI_PIPELINE_ID: '4242',
    CI_JOB_ID: '424242',
  };
  // Predefined and CI/CD variables first, so the file's variables can refer to them.
  const vars: Record<string, string> = { ...predefined, ...options.variables };
  const defined = { ...(pipeline.variables as Record<string, string | number> | undefined), ...job.variables };
  for (const [key, value] of Object.entries(defined)) {
    // A CI/CD variable of the same name wins over the file's, as in GitLab.
    if (!(key in options.variables)) vars[key] = expand(String(value), vars);
  }
  const env = { ...options.machine, ...vars, PATH: `${node}:${options.machine.PATH}` };

  const lines = [...(job.before_script ?? []), ...job.script];
  const script = ['set -eo pipefail', ...lines.flatMap((line) => [`echo "\\$ "${quote(line)}`, line])].join('\n');
  const scriptFile = join(projectDir, '..', `${name}.script.sh`);
  writeFileSync(scriptFile, script + '\n');
  const run = await runShell(['bash', '--noprofile', '--norc', scriptFile], env, projectDir);
  if (job.after_script?.length) {
    const after = join(projectDir, '..', `${name}.after.sh`);
    writeFileSync(after, job.after_script.join('\n') + '\n');
    await runShell(['bash', '--noprofile', '--norc', after], env, projectDir);
  }
  const status = run.code === 0 ? 'success' : 'failed';

  const when = job.artifacts?.when ?? 'on_success';
  const collect = when === 'always' || (when === 'on_success') === (status === 'success');
  const junit = collect ? [job.artifacts?.reports?.junit ?? []].flat() : [];
  const artifacts = collect ? (job.artifacts?.paths ?? []).filter((p) => existsSync(resolve(projectDir, p))) : [];
  return {
    status,
    script: run,
    projectDir,
    artifacts,
    junit: junit.map((p) => resolve(projectDir, expand(p, vars))),
    image,
  };
}
