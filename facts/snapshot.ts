import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { hostIdentity, resolvedLabSettings, student } from '../inventory/schema.ts';

export const SNAPSHOT_VERSION = 1;

/** Whether the host could be read; shared by snapshots and results.json. */
export const connectionOutcome = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true) }),
  z.strictObject({ ok: z.literal(false), failure: z.string(), message: z.string() }),
]);

const recordedOutput = z.object({
  probe: z.string(),
  part: z.string(),
  command: z.string(),
  stdout: z.string(),
  stderr: z.string(),
  exitCode: z.int().nullable(),
  /** Cut on the host at the per-probe output limit. */
  truncated: z.boolean().optional(),
  /** As seen by the runner: from the previous part's end (or the first byte) to this part's end; null when it never ended. */
  durationMs: z.number().nullable(),
});

/** Everything labspec saw of one host: enough to re-grade it later with no network. */
export const hostSnapshot = z.object({
  version: z.literal(SNAPSHOT_VERSION),
  lab: z.string(),
  /** The lab's expected values at the time of the run, so a replay needs no inventory. */
  labSettings: resolvedLabSettings,
  host: hostIdentity.omit({ lab: true }),
  /** Who the lab belongs to, when the inventory was a class (labs:, or roster: with template:), so a replay grades it. */
  student: student.optional(),
  /** The run that gathered this snapshot; the reports graded from it carry the same id. */
  runId: z.string().optional(),
  /** The host's place in the inventory, so a replay reports hosts in the same order. */
  position: z.int().nonnegative(),
  transport: z.string(),
  notes: z.array(z.string()),
  startedAt: z.string(),
  durationMs: z.number(),
  /** From the start to the first byte of output: connecting, authenticating, starting the shell. */
  connectMs: z.number().nullable(),
  connection: connectionOutcome,
  /** The SSH host key the host presented (`ssh-ed25519 SHA256:…`), a machine identity; null without SSH or a session. */
  hostKey: z.string().nullable().optional(),
  /** The one remote command, and the script it read on stdin: every command sent. */
  command: z.string(),
  script: z.string(),
  timedOut: z.boolean(),
  /** Why some probes never finished (the shell quit, the session closed, the deadline); null when all did. */
  sessionEnd: z.string().nullable().optional(),
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

/** A snapshot folder that cannot be replayed: one line naming the path and why. */
export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

/** `facts/<name>.json` in a run folder, one per host; the lab's name leads when the inventory has several labs. */
export function snapshotFiles(
  snapshots: ReadonlyArray<HostSnapshot>,
  multipleLabs = new Set(snapshots.map((s) => s.lab)).size > 1,
): Array<{ name: string; content: () => string }> {
  return snapshots.map((snapshot) => ({
    name: `facts/${snapshotFileName(snapshot, multipleLabs)}`,
    content: () => `${JSON.stringify(snapshot, null, 2)}\n`,
  }));
}

/** Where the snapshots are, given a reports folder (its latest run), a run folder or a facts folder. */
export function locateSnapshots(path: string): string {
  for (const candidate of [join(path, 'latest', 'facts'), join(path, 'facts')]) {
    if (isDirectory(candidate)) return candidate;
  }
  return path;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function readSnapshots(path: string): HostSnapshot[] {
  const dir = locateSnapshots(path);
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch (error) {
    throw new SnapshotError(
      `${dir}: cannot read snapshots (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  if (files.length === 0) throw new SnapshotError(`${dir}: no snapshots (*.json) to replay`);
  const snapshots = files.map((file) => readSnapshotFile(join(dir, file)));
  return snapshots.sort((a, b) => a.position - b.position);
}

export function readSnapshotFile(path: string): HostSnapshot {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new SnapshotError(`${path}: not ${error instanceof SyntaxError ? 'JSON' : 'readable'} (${reason})`);
  }
  const parsed = hostSnapshot.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SnapshotError(`${path}: not a labspec snapshot (${issue?.path.join('.') || '(top)'}: ${issue?.message})`);
  }
  return parsed.data;
}
