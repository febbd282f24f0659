import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { HostFacts } from './host-facts.ts';

export const SNAPSHOT_VERSION = 1;

const recordedOutput = z.object({
  probe: z.string(),
  part: z.string(),
  command: z.string(),
  stdout: z.string(),
  stderr: z.string(),
  exitCode: z.int().nullable(),
  /** As seen by the runner: from the previous part's end (or the first byte) to this part's end; null when it never ended. */
  durationMs: z.number().nullable(),
});

/** Everything labspec saw of one host: enough to re-grade it later with no network. */
export const hostSnapshot = z.object({
  version: z.literal(SNAPSHOT_VERSION),
  lab: z.string(),
  /** The lab's expected values at the time of the run, so a replay needs no inventory. */
  labSettings: z.object({
    name: z.string(),
    subnet: z.string(),
    ntpUpstream: z.string(),
    minCpus: z.int(),
    minRootDiskGiB: z.number(),
    acceptRebuilds: z.boolean(),
    chronySyncWaitSeconds: z.int(),
  }),
  host: z.object({
    name: z.string(),
    address: z.string(),
    labAddress: z.string(),
    role: z.enum(['controller', 'compute']),
  }),
  /** The host's place in the inventory, so a replay reports hosts in the same order. */
  position: z.int().nonnegative(),
  transport: z.string(),
  notes: z.array(z.string()),
  startedAt: z.string(),
  durationMs: z.number(),
  /** From the start to the first byte of output: connecting, authenticating, starting the shell. */
  connectMs: z.number().nullable(),
  connection: z.discriminatedUnion('ok', [z.object({ ok: z.literal(true) }), z.object({ ok: z.literal(false), failure: z.string(), message: z.string() })]),
  /** The one remote command, and the script it read on stdin: every command sent. */
  command: z.string(),
  script: z.string(),
  timedOut: z.boolean(),
  /** What the host printed before labspec's first frame (banners, shell start-up files): recorded, never parsed. */
  preamble: z.object({ stdout: z.string(), stderr: z.string() }),
  outputs: z.array(recordedOutput),
  /** Parsed facts, for people reading the file; replay parses `outputs` again. */
  facts: z.unknown().optional(),
});
export type HostSnapshot = z.infer<typeof hostSnapshot>;

export function snapshotFileName(snapshot: Pick<HostSnapshot, 'lab' | 'host'>, multipleLabs: boolean): string {
  return `${multipleLabs ? `${snapshot.lab}.` : ''}${snapshot.host.name}.json`;
}

/** Replaces the snapshots in `dir`: one left from an earlier run of other hosts would be replayed as if it were of this one. */
export function writeSnapshots(dir: string, snapshots: Array<HostSnapshot & { facts: HostFacts }>): void {
  mkdirSync(dir, { recursive: true });
  for (const old of readdirSync(dir).filter((f) => f.endsWith('.json'))) rmSync(join(dir, old));
  const multipleLabs = new Set(snapshots.map((s) => s.lab)).size > 1;
  for (const snapshot of snapshots) {
    writeFileSync(join(dir, snapshotFileName(snapshot, multipleLabs)), `${JSON.stringify(snapshot, null, 2)}\n`);
  }
}

export function readSnapshots(dir: string): HostSnapshot[] {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch (error) {
    throw new Error(`${dir}: cannot read snapshots (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (files.length === 0) throw new Error(`${dir}: no snapshots (*.json) to replay`);
  const snapshots = files.map((file) => {
    const path = join(dir, file);
    const parsed = hostSnapshot.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${path}: not a labspec snapshot (${issue?.path.join('.') || '(top)'}: ${issue?.message})`);
    }
    return parsed.data;
  });
  return snapshots.sort((a, b) => a.position - b.position);
}
