/**
 * Runs one command and measures it: wall time (spawn to exit), the peak of the RSS summed over its
 * process tree (sampled every `sampleMs` from /proc), and, when GNU time is installed, its CPU time
 * (user + system of the whole tree, waited-for descendants included) and its largest single process.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { childrenOf } from './sshd-fleet.ts';

const GNU_TIME = '/usr/bin/time';
export const hasGnuTime = existsSync(GNU_TIME);
const PAGE_KIB = 4; // x86-64 and arm64 Linux: /proc/PID/statm counts 4 KiB pages

export interface Measured {
  wallMs: number;
  exitCode: number | null;
  signal: string | null;
  /** Peak of the summed RSS of the tree (sampled), KiB. */
  peakTreeRssKiB: number;
  /** GNU time's %M: the largest RSS of one process of the tree, KiB; null without GNU time. */
  maxProcessRssKiB: number | null;
  /** User + system CPU seconds of the tree; null without GNU time. */
  cpuSeconds: number | null;
  samples: number;
  stdout: string;
  stderr: string;
  /** When the process was spawned: Date.now() and process.hrtime (ns, CLOCK_MONOTONIC, as V8's profiler clock). */
  spawnedAtEpochMs: number;
  spawnedAtMonoNs: bigint;
  exitedAtMonoNs: bigint;
}

/** RSS of a process tree in KiB, `skip` excluded (the GNU time wrapper). */
function treeRss(root: number, skip: number | null): number {
  let sum = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (pid !== skip) {
      try {
        sum += Number(readFileSync(`/proc/${pid}/statm`, 'latin1').split(' ')[1]) * PAGE_KIB;
      } catch {
        continue;
      }
    }
    stack.push(...childrenOf(pid));
  }
  return sum;
}

/** Processes being measured right now, for the benchmark's own signal handler. */
export const running = new Set<number>();

export function measure(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; scratch: string; sampleMs?: number; keepOutput?: boolean },
): Promise<Measured> {
  const timeFile = join(options.scratch, `time.${process.pid}.${Date.now()}`);
  const [cmd, argv] = hasGnuTime
    ? [GNU_TIME, ['-f', '%e %U %S %M', '-o', timeFile, command, ...args]]
    : [command, args];
  return new Promise((resolve, reject) => {
    const spawnedAtEpochMs = Date.now();
    const spawnedAtMonoNs = process.hrtime.bigint();
    const start = performance.now();
    const child = spawn(cmd, argv, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid;
    if (pid !== undefined) running.add(pid);
    let stdout = '';
    let stderr = '';
    // Keep only the end of long outputs (vitest prints every failed test): enough to say what broke.
    const tail = (s: string) => (s.length > 64 * 1024 ? s.slice(-64 * 1024) : s);
    child.stdout.on('data', (d: Buffer) => (stdout = tail(stdout + d.toString('utf8'))));
    child.stderr.on('data', (d: Buffer) => (stderr = tail(stderr + d.toString('utf8'))));
    let peak = 0;
    let samples = 0;
    const sample = () => {
      if (pid === undefined) return;
      peak = Math.max(peak, treeRss(pid, hasGnuTime ? pid : null));
      samples++;
    };
    const timer = setInterval(sample, options.sampleMs ?? 20);
    sample();
    child.once('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      const wallMs = performance.now() - start;
      const exitedAtMonoNs = process.hrtime.bigint();
      clearInterval(timer);
      if (pid !== undefined) running.delete(pid);
      // The last output may still be in the pipes: wait for them to close (not for long: a leftover
      // grandchild could hold them open).
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(grace);
        collect(code, signal, wallMs, exitedAtMonoNs);
      };
      const grace = setTimeout(finish, 2000);
      if (child.stdout.readableEnded && child.stderr.readableEnded) finish();
      else child.once('close', finish);
    });
    const collect = (code: number | null, signal: NodeJS.Signals | null, wallMs: number, exitedAtMonoNs: bigint) => {
      let cpuSeconds: number | null = null;
      let maxProcessRssKiB: number | null = null;
      if (hasGnuTime && existsSync(timeFile)) {
        // GNU time writes "Command exited with non-zero status N" first when it did.
        const line = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1) ?? '';
        const [, user, sys, maxRss] = line.split(' ').map(Number);
        if (user !== undefined && sys !== undefined) cpuSeconds = user + sys;
        if (maxRss !== undefined) maxProcessRssKiB = maxRss;
        rmSync(timeFile, { force: true });
      }
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({
        wallMs,
        exitCode: code,
        signal,
        peakTreeRssKiB: peak,
        maxProcessRssKiB,
        cpuSeconds,
        samples,
        stdout: options.keepOutput ? stdout : stdout.slice(-4000),
        stderr: stderr.slice(-4000),
        spawnedAtEpochMs,
        spawnedAtMonoNs,
        exitedAtMonoNs,
      });
    };
  });
}

export interface Stats {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n === 0 ? NaN : n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return { median, min: sorted[0] ?? NaN, max: sorted[n - 1] ?? NaN, n };
}
