import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { basename, delimiter, dirname, join } from 'node:path';
import { REPO } from './run-npm-test.ts';

/** Not copied into the packing tree: installs, build output, earlier reports and tarballs. */
const NOT_COPIED = new Set(['.git', 'node_modules', 'dist', 'reports']);

/**
 * The environment of an npm the tests start: this Node (26) first on PATH, so `npm`, `npx` and the bin's
 * `#!/usr/bin/env node` run on it, and none of the outer npm's or vitest's variables (an inherited npm_config_*
 * would steer the inner npm).
 */
export function npmEnv(): Record<string, string> {
  const inherited = Object.entries(process.env).filter(
    (entry): entry is [string, string] =>
      entry[1] !== undefined &&
      !/^npm_/i.test(entry[0]) &&
      !entry[0].startsWith('VITEST') &&
      !['INIT_CWD', 'TEST', 'NODE_ENV', 'NODE_OPTIONS', 'FORCE_COLOR', 'NO_COLOR'].includes(entry[0]),
  );
  const env = Object.fromEntries(inherited);
  env.PATH = [dirname(process.execPath), env.PATH ?? ''].join(delimiter);
  env.npm_config_update_notifier = 'false';
  return env;
}

/**
 * `npm pack` of this work tree, as a release would make it, into `root`/packs: a copy of the tree is packed, so
 * the checkout's dist/ is left alone. Resolves to the tarball's path; the event loop runs meanwhile (a lab can boot).
 */
export async function packLabspec(root: string): Promise<string> {
  const tree = join(root, 'tree');
  cpSync(REPO, tree, {
    recursive: true,
    filter: (src) => !(dirname(src) === REPO && NOT_COPIED.has(basename(src))) && !src.endsWith('.tgz'),
  });
  // tsc and the @types for prepack's build; nothing of node_modules goes into the tarball.
  symlinkSync(join(REPO, 'node_modules'), join(tree, 'node_modules'), 'dir');
  const packs = join(root, 'packs');
  mkdirSync(packs);
  const pack = await new Promise<{ code: number | null; log: string }>((resolve, reject) => {
    const child = spawn('npm', ['pack', '--pack-destination', packs], { cwd: tree, env: npmEnv() });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, log }));
  });
  if (pack.code !== 0) throw new Error(`npm pack: exit ${pack.code}\n${pack.log}`);
  const tarballs = readdirSync(packs).filter((f) => f.endsWith('.tgz'));
  if (tarballs.length !== 1) throw new Error(`npm pack wrote ${tarballs.join(', ') || 'no tarball'}`);
  return join(packs, tarballs[0]!);
}
