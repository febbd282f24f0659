import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT } from './settings.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs the spec files under vitest, exactly as `npm test` does, optionally inside a command prefix (the lab's netns). */
export function runSpecs(env: NodeJS.ProcessEnv, filter?: string, prefix: string[] = []): Promise<number> {
  const vitest = [
    process.execPath,
    join(ROOT, 'node_modules/vitest/vitest.mjs'),
    'run',
    '--config',
    join(ROOT, 'vitest.specs.config.ts'),
    ...(filter ? ['-t', filter] : []),
  ];
  const [program, ...args] = [...prefix, ...vitest];
  return new Promise((done) => {
    const child = spawn(program!, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', (error) => {
      console.error(`labspec: cannot start vitest: ${error.message}`);
      done(EXIT.usage);
    });
    child.on('exit', (code, signal) => done(code ?? (signal ? 128 : EXIT.checksFailed)));
  });
}
