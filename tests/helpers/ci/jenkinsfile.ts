/**
 * A small runner for the declarative Jenkinsfile in examples/ci/jenkins: it reads the pipeline's blocks with a
 * Groovy tokenizer (comments, the four string literals, blocks and step calls), then runs the build as Jenkins
 * does: the docker agent's image names the Node first on PATH (from the test's shelf), the parameters and
 * `environment {}` (credentials() resolved from the test's store, GStrings interpolated
 * from env) become the environment of every `sh` step, each step runs as `sh -xe SCRIPT` in the workspace, a
 * failing step fails its stage and skips the rest, and `post { always {} }` runs at the end with the junit and
 * archiveArtifacts steps evaluated on the workspace. Anything else in the file is an error, not ignored.
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { nodeFor, runShell, type NodeShelf, type StepRun } from './shell.ts';

type Token =
  | { kind: 'word'; text: string }
  | { kind: 'string'; text: string; interpolated: boolean }
  | { kind: 'punct'; text: string }
  | { kind: 'newline' };

/** Groovy's escapes in a string literal; a backslash before a newline joins the lines. */
function unescape(body: string): string {
  return body.replace(/\\(\n|.)/g, (_, c: string) => {
    const map: Record<string, string> = { '\n': '', n: '\n', t: '\t', '\\': '\\', "'": "'", '"': '"', $: '$' };
    if (!(c in map)) throw new Error(`Groovy escape \\${c} is not modelled`);
    return map[c]!;
  });
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    if (rest.startsWith('//')) {
      i += rest.indexOf('\n') === -1 ? rest.length : rest.indexOf('\n');
    } else if (rest.startsWith('/*')) {
      i += rest.indexOf('*/') + 2;
    } else if (rest[0] === '\n') {
      tokens.push({ kind: 'newline' });
      i++;
    } else if (/^\s/.test(rest)) {
      i++;
    } else if (rest.startsWith("'''") || rest.startsWith('"""')) {
      const quote = rest.slice(0, 3);
      const end = rest.indexOf(quote, 3);
      if (end < 0) throw new Error('unterminated triple-quoted string');
      tokens.push({ kind: 'string', text: unescape(rest.slice(3, end)), interpolated: quote === '"""' });
      i += end + 3;
    } else if (rest[0] === "'" || rest[0] === '"') {
      const match = new RegExp(`^${rest[0]}((?:\\\\.|[^\\\\${rest[0]}\\n])*)${rest[0]}`).exec(rest);
      if (!match) throw new Error(`unterminated string at ${source.slice(0, i).split('\n').length}`);
      tokens.push({ kind: 'string', text: unescape(match[1]!), interpolated: rest[0] === '"' });
      i += match[0].length;
    } else if (/^[A-Za-z_]/.test(rest)) {
      const word = /^[\w.]+/.exec(rest)![0];
      tokens.push({ kind: 'word', text: word });
      i += word.length;
    } else if (/^\d/.test(rest)) {
      const number = /^\d+/.exec(rest)![0];
      tokens.push({ kind: 'word', text: number });
      i += number.length;
    } else {
      tokens.push({ kind: 'punct', text: rest[0]! });
      i++;
    }
  }
  return tokens;
}

export type Value = string | boolean | number | string[] | { call: string; args: Argument[] };
export interface Argument {
  name?: string;
  value: Value;
  /** A GString whose `${…}` is evaluated when the step runs. */
  interpolated?: boolean;
}
export interface Call {
  name: string;
  args: Argument[];
  /** The `{ … }` block after the call, if any. */
  block?: Call[];
}

/** The pipeline as nested calls: `stage('x') { steps { sh '…' } }` is a call with arguments and a block. */
export function parseJenkinsfile(source: string): Call[] {
  const tokens = tokenize(source);
  let at = 0;
  const peek = () => tokens[at];
  const skipNewlines = () => {
    while (peek()?.kind === 'newline') at++;
  };
  const expect = (text: string) => {
    const t = tokens[at++];
    if (t?.kind !== 'punct' || t.text !== text) throw new Error(`expected ${text}, found ${JSON.stringify(t)}`);
  };

  function value(): { value: Value; interpolated?: boolean } {
    const t = tokens[at++];
    if (!t) throw new Error('unexpected end');
    if (t.kind === 'string') return { value: t.text, interpolated: t.interpolated };
    if (t.kind === 'punct' && t.text === '[') {
      const items: string[] = [];
      while (!(peek()?.kind === 'punct' && (peek() as { text: string }).text === ']')) {
        skipNewlines();
        const item = value().value;
        if (typeof item !== 'string') throw new Error('only lists of strings are modelled');
        items.push(item);
        if ((peek() as { text?: string })?.text === ',') at++;
        skipNewlines();
      }
      at++;
      return { value: items };
    }
    if (t.kind === 'word') {
      if (t.text === 'true' || t.text === 'false') return { value: t.text === 'true' };
      if (/^\d+$/.test(t.text)) return { value: Number(t.text) };
      if ((peek() as { text?: string })?.text === '(') return { value: { call: t.text, args: argumentsInParens() } };
      return { value: t.text };
    }
    throw new Error(`unexpected ${JSON.stringify(t)}`);
  }

  function argument(): Argument {
    const t = peek();
    const next = tokens[at + 1];
    if (t?.kind === 'word' && next?.kind === 'punct' && next.text === ':') {
      at += 2;
      return { name: t.text, ...value() };
    }
    return value();
  }

  function argumentsInParens(): Argument[] {
    expect('(');
    const args: Argument[] = [];
    skipNewlines();
    while (!((peek() as { text?: string })?.text === ')')) {
      args.push(argument());
      skipNewlines();
      if ((peek() as { text?: string })?.text === ',') at++;
      skipNewlines();
    }
    at++;
    return args;
  }

  function statements(): Call[] {
    const calls: Call[] = [];
    for (;;) {
      skipNewlines();
      const t = peek();
      if (!t || (t.kind === 'punct' && t.text === '}')) return calls;
      if (t.kind !== 'word') throw new Error(`expected a step or block, found ${JSON.stringify(t)}`);
      at++;
      const call: Call = { name: t.text, args: [] };
      const after = peek() as { kind: string; text?: string } | undefined;
      if (after?.text === '(') {
        call.args = argumentsInParens();
      } else if (after?.text === '=') {
        // NAME = value, in environment {}.
        at++;
        call.args = [{ name: '=', ...value() }];
      } else if (after && after.kind !== 'newline' && after.text !== '{') {
        // A command expression: `sh '…'`, `junit testResults: '…', allowEmptyResults: false`.
        call.args.push(argument());
        while ((peek() as { text?: string })?.text === ',') {
          at++;
          skipNewlines();
          call.args.push(argument());
        }
      }
      if ((peek() as { text?: string })?.text === '{') {
        at++;
        call.block = statements();
        expect('}');
      }
      calls.push(call);
    }
  }

  const calls = statements();
  if (at !== tokens.length) throw new Error('unbalanced braces');
  return calls;
}

const one = (calls: Call[] | undefined, name: string): Call | undefined => calls?.find((c) => c.name === name);
const named = (args: Argument[], name: string) => args.find((a) => a.name === name)?.value;

export interface JenkinsBuild {
  result: 'SUCCESS' | 'UNSTABLE' | 'FAILURE';
  stages: Array<{ name: string; status: 'success' | 'failed' | 'skipped'; steps: StepRun[] }>;
  /** What the junit step read: its files and the counts of their test cases. */
  junit: { files: string[]; tests: number; failures: number; errors: number; skipped: number };
  archived: string[];
  agentImage: string;
  /** The environment the sh steps saw, less the machine's. */
  environment: Record<string, string>;
}

/** A GString's `${env.X}`, `${params.X}` or `${X}`. */
function interpolate(text: string, env: Record<string, string>, params: Record<string, string>): string {
  return text.replace(/\$\{([\w.]+)\}/g, (_, path: string) => {
    const [scope, key] = path.includes('.') ? path.split('.', 2) : ['env', path];
    const value = scope === 'params' ? params[key!] : scope === 'env' ? env[key!] : undefined;
    if (value === undefined) throw new Error(`\${${path}} is not set`);
    return value;
  });
}

function filesMatching(workspace: string, pattern: string): string[] {
  // Ant patterns as the two steps use them here: a path, or a folder followed by /**.
  const all: string[] = [];
  const walk = (dir: string) => {
    for (const entry of existsSync(dir) ? readdirSync(dir) : []) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else all.push(relative(workspace, path));
    }
  };
  walk(workspace);
  if (pattern.endsWith('/**')) return all.filter((f) => f.startsWith(pattern.slice(0, -2)));
  if (/[*?]/.test(pattern)) throw new Error(`pattern ${pattern} is not modelled`);
  return all.filter((f) => f === pattern);
}

function countCases(xml: string) {
  const count = (re: RegExp) => (xml.match(re) ?? []).length;
  return {
    tests: count(/<testcase\b/g),
    failures: count(/<failure\b/g),
    errors: count(/<error\b/g),
    skipped: count(/<skipped\b/g),
  };
}

export async function runJenkinsfile(
  file: string,
  options: {
    workspace: string;
    machine: Record<string, string>;
    nodes: NodeShelf;
    /** Global environment variables (Manage Jenkins › System). */
    globalEnv: Record<string, string>;
    params: Record<string, string>;
    /** credentials('id') → the file or text it stands for. */
    credentials: Record<string, string>;
  },
): Promise<JenkinsBuild> {
  const [pipeline, ...more] = parseJenkinsfile(readFileSync(file, 'utf8'));
  if (pipeline?.name !== 'pipeline' || more.length) throw new Error('one pipeline {} block');
  const blocks = pipeline.block!;
  for (const b of blocks)
    if (!['agent', 'options', 'parameters', 'environment', 'stages', 'post'].includes(b.name))
      throw new Error(`pipeline: ${b.name} is not modelled`);

  const docker = one(one(blocks, 'agent')?.block, 'docker');
  const image = String(one(docker?.block, 'image')?.args[0]?.value ?? '');
  const machine = { ...options.machine, PATH: `${nodeFor(image, options.nodes)}:${options.machine.PATH}` };

  const params: Record<string, string> = {};
  for (const p of one(blocks, 'parameters')?.block ?? []) {
    const name = named(p.args, 'name') as string;
    const fallback =
      p.name === 'choice' ? (named(p.args, 'choices') as string[])[0] : (named(p.args, 'defaultValue') as string);
    if (!['string', 'choice'].includes(p.name)) throw new Error(`parameter ${p.name} is not modelled`);
    params[name] = options.params[name] ?? fallback ?? '';
    if (p.name === 'choice' && !(named(p.args, 'choices') as string[]).includes(params[name]!))
      throw new Error(`${name}: ${params[name]} is not one of its choices`);
  }
  for (const name of Object.keys(options.params))
    if (!(name in params)) throw new Error(`parameter ${name} is not declared`);

  // Jenkins' own variables, the global ones, then the parameters, as every sh step sees them.
  const env: Record<string, string> = {
    ...options.globalEnv,
    WORKSPACE: options.workspace,
    BUILD_NUMBER: '42',
    JOB_NAME: 'labspec-image-gate',
    JENKINS_HOME: '/var/jenkins_home',
    ...params,
  };
  for (const entry of one(blocks, 'environment')?.block ?? []) {
    const assigned = entry.args[0];
    if (assigned?.name !== '=') throw new Error(`environment: ${entry.name} is not NAME = value`);
    const v = assigned.value;
    if (typeof v === 'string') env[entry.name] = assigned.interpolated ? interpolate(v, env, params) : v;
    else if (typeof v === 'object' && !Array.isArray(v) && v.call === 'credentials') {
      const id = v.args[0]?.value as string;
      if (!(id in options.credentials)) throw new Error(`credentials('${id}'): not in the test's store`);
      env[entry.name] = options.credentials[id]!;
    } else throw new Error(`environment: ${entry.name}: value not modelled`);
  }

  const build: JenkinsBuild = {
    result: 'SUCCESS',
    stages: [],
    junit: { files: [], tests: 0, failures: 0, errors: 0, skipped: 0 },
    archived: [],
    agentImage: image,
    environment: env,
  };
  let scriptIndex = 0;
  for (const stage of one(blocks, 'stages')?.block ?? []) {
    const name = stage.args[0]?.value as string;
    const record = { name, status: 'skipped' as 'success' | 'failed' | 'skipped', steps: [] as StepRun[] };
    build.stages.push(record);
    if (build.result === 'FAILURE') continue;
    record.status = 'success';
    for (const step of one(stage.block, 'steps')?.block ?? []) {
      if (step.name !== 'sh') throw new Error(`stage ${name}: step ${step.name} is not modelled`);
      const arg = step.args[0]!;
      const script = arg.interpolated ? interpolate(arg.value as string, env, params) : (arg.value as string);
      const path = join(options.workspace, '..', `script-${++scriptIndex}.sh`);
      writeFileSync(path, script);
      const run = await runShell(['sh', '-xe', path], { ...machine, ...env }, options.workspace);
      record.steps.push(run);
      if (run.code !== 0) {
        record.status = 'failed';
        build.result = 'FAILURE';
        break;
      }
    }
  }

  for (const condition of one(blocks, 'post')?.block ?? []) {
    if (condition.name !== 'always') throw new Error(`post: ${condition.name} is not modelled`);
    for (const step of condition.block ?? []) {
      if (step.name === 'junit') {
        const files = filesMatching(options.workspace, named(step.args, 'testResults') as string);
        if (!files.length && named(step.args, 'allowEmptyResults') !== true) build.result = 'FAILURE';
        for (const f of files) {
          const counts = countCases(readFileSync(join(options.workspace, f), 'utf8'));
          build.junit.files.push(f);
          for (const k of ['tests', 'failures', 'errors', 'skipped'] as const) build.junit[k] += counts[k];
        }
        if (build.result === 'SUCCESS' && build.junit.failures + build.junit.errors > 0) build.result = 'UNSTABLE';
      } else if (step.name === 'archiveArtifacts') {
        build.archived = filesMatching(options.workspace, named(step.args, 'artifacts') as string);
      } else throw new Error(`post: step ${step.name} is not modelled`);
    }
  }
  return build;
}
