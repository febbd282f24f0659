// `npm test`: vitest's own command line on the spec files, with labspec's colour rule. vitest's colour
// library colours redirected logs and reads FORCE_COLOR=0 as "on"; only NO_COLOR turns it off.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { colorOf } from '../../run/settings.ts';

if (!colorOf(process.env, process.stdout.isTTY ?? false)) {
  process.env.NO_COLOR = '1';
  delete process.env.FORCE_COLOR;
}
const vitest = dirname(createRequire(import.meta.url).resolve('vitest/package.json'));
process.argv.splice(2, 0, 'run', '--config', join(import.meta.dirname, '../../vitest.specs.config.ts'));
await import(pathToFileURL(join(vitest, 'vitest.mjs')).href);
