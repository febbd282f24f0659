/**
 * Experiment: vitest's own start-up, as `npm test` pays it, without labspec: vitest started the way
 * specs/harness/npm-test.ts starts it (node, vitest.mjs, `run --config`), with npm test's settings (pool threads,
 * no isolation) on as many spec files as specs/ holds, each one empty test and no plugin. Also `node -e 0` and
 * `npm test` minus labspec run is what the fleet benchmark reports; this is the part of it vitest costs alone.
 * Run: npx node bench/experiments/vitest-startup.ts [runs]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const runs = Number(process.argv[2] ?? 10);
const root = join(import.meta.dirname, '..', '..');
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const specCount = readdirSync(join(root, 'specs')).filter((f) => f.endsWith('.spec.ts')).length;
// Inside the checkout, so that the config's `vitest/config` import resolves as npm test's does.
const dir = mkdtempSync(join(root, 'bench', '.vitest-startup-'));
try {
  writeFileSync(
    join(dir, 'vitest.config.ts'),
    `import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { include: ['*.spec.ts'], isolate: false, retry: 0, pool: 'threads' } });\n`,
  );
  for (let i = 1; i <= specCount; i++)
    writeFileSync(join(dir, `${i}.spec.ts`), `import { it } from 'vitest';\nit('nothing', () => {});\n`);
  const commands: [string, string[]][] = [
    ['node -e 0', ['-e', '0']],
    [`vitest run, ${specCount} empty spec files, npm test's settings`, [vitest, 'run', '--config', 'vitest.config.ts']],
  ];
  const samples = commands.map(() => [] as number[]);
  for (let r = 0; r < runs + 1; r++) {
    commands.forEach(([, args], i) => {
      const start = performance.now();
      const result = spawnSync(process.execPath, args, { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
      if (result.status !== 0) throw new Error(`${args.join(' ')}: exit ${result.status}\n${result.stderr}`);
      if (r > 0) samples[i]!.push(performance.now() - start); // the first round warms the file cache
    });
  }
  for (const [i, [name]] of commands.entries()) {
    const sorted = samples[i]!.sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    console.log(
      `${name}: median ${median.toFixed(0)} ms, ${sorted[0]!.toFixed(0)}–${sorted.at(-1)!.toFixed(0)} ms (${runs} runs)`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
