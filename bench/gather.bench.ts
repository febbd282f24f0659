/**
 * `npm run bench` (root): how fast labspec reads hosts, measured on the local lab.
 *   1. one host, one round trip;  2. the two-node lab in parallel;
 *   3. a class: 20 labs × 2 hosts (the same two real hosts, 40 connections) at several concurrencies;
 *   4. the whole `npm test` run, vitest included.
 * It brings the lab up (compliant) unless it is already up, and takes it down only if it brought it up.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gatherLabs } from '../gather/gather.ts';
import { loadInventory, type Lab } from '../inventory/load.ts';
import { labDown, labExecPrefix, labStatus, labUp } from '../lab/index.ts';

const RUNS = 7;
const IN_LAB = 'LABSPEC_BENCH_IN_LAB';

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `median ${at(0.5).toFixed(0)} ms, min ${sorted[0]!.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms (${samples.length} runs)`;
}

async function repeat(fn: () => Promise<unknown>, runs = RUNS): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await timed(fn));
  return samples;
}

/** Runs inside the lab netns: the measurements themselves. */
async function measure(inventoryPath: string): Promise<void> {
  const [lab] = loadInventory(inventoryPath).labs as [Lab];
  const controllerOnly: Lab = { ...lab, hosts: lab.hosts.filter((h) => h.role === 'controller') };
  const klass: Lab[] = Array.from({ length: 20 }, (_, i) => ({
    settings: { ...lab.settings, name: `student${i + 1}` },
    hosts: lab.hosts.map((h) => ({ ...h, lab: `student${i + 1}` })),
  }));
  await gatherLabs([lab], { concurrency: 2, runId: 'bench' }); // warm-up: module loading, first handshakes
  console.log(
    `one host (controller), one connection + one exec:  ${stats(await repeat(() => gatherLabs([controllerOnly], { concurrency: 1, runId: 'bench' })))}`,
  );
  console.log(
    `two-node lab, in parallel:                         ${stats(await repeat(() => gatherLabs([lab], { concurrency: 2, runId: 'bench' })))}`,
  );
  console.log(
    `two-node lab, one after the other:                 ${stats(await repeat(() => gatherLabs([lab], { concurrency: 1, runId: 'bench' })))}`,
  );
  for (const concurrency of [1, 4, 16]) {
    console.log(
      `class of 20 labs (40 hosts), concurrency ${String(concurrency).padEnd(2)}:       ${stats(await repeat(() => gatherLabs(klass, { concurrency, runId: 'bench' }), 3))}`,
    );
  }
}

async function main(): Promise<void> {
  if (process.env[IN_LAB]) return measure(process.env[IN_LAB]!);
  if (process.getuid?.() !== 0) throw new Error('the benchmark uses the local lab: run it as root');
  const already = await labStatus();
  const inventoryPath =
    already.up && already.scenario === 'compliant'
      ? already.inventoryPath!
      : (await labUp({ scenario: 'compliant' })).inventoryPath;
  const reports = mkdtempSync(join(tmpdir(), 'labspec-bench-'));
  const inLab = (args: string[], env: Record<string, string>, stdio: 'inherit' | 'ignore') =>
    spawnSync(labExecPrefix()[0]!, [...labExecPrefix().slice(1), ...args], { stdio, env: { ...process.env, ...env } });
  try {
    inLab([process.execPath, fileURLToPath(import.meta.url)], { [IN_LAB]: inventoryPath }, 'inherit');
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      inLab(['npm', 'test', '--silent'], { LABSPEC_INVENTORY: inventoryPath, LABSPEC_REPORTS: reports }, 'ignore');
      samples.push(performance.now() - start);
    }
    console.log(`whole npm test on the two-node lab (vitest incl.): ${stats(samples)}`);
  } finally {
    rmSync(reports, { recursive: true, force: true });
    if (!(already.up && already.scenario === 'compliant')) await labDown();
  }
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
