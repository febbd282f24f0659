import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './run-npm-test.ts';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The outer vitest's own variables would leak into a child run. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const inherited = Object.entries(process.env).filter(
    (entry): entry is [string, string] =>
      entry[1] !== undefined &&
      !entry[0].startsWith('VITEST') &&
      !['TEST', 'NODE_ENV', 'FORCE_COLOR', 'NO_COLOR'].includes(entry[0]),
  );
  return { ...Object.fromEntries(inherited), ...extra };
}

/**
 * Runs the labspec CLI from the sources, as `npm run labspec` does, in `cwd`; with `prefix`, inside
 * it (e.g. the lab's network namespace).
 */
export function labspec(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; prefix?: string[] } = {},
): CliRun {
  const [program, ...programArgs] = [
    ...(options.prefix ?? []),
    process.execPath,
    join(REPO, 'bin/labspec.ts'),
    ...args,
  ];
  const run = spawnSync(program!, programArgs, {
    cwd: options.cwd ?? REPO,
    env: cleanEnv(options.env),
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}
