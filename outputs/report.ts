import { z } from 'zod';
import { connectionOutcome } from '../facts/snapshot.ts';
import { CHECK_PROFILES } from '../inventory/choices.ts';
import { role } from '../inventory/schema.ts';

export const RESULTS_SCHEMA = 'labspec/results@2';

export const status = z.enum(['pass', 'fail', 'error', 'skip']);

/** One verdict: one host (or, for cross-host checks, the lab) and one check. */
export const resultEntry = z.strictObject({
  lab: z.string(),
  /** null for a cross-host check of the whole lab. */
  host: z.string().nullable(),
  check: z.string(),
  title: z.string(),
  section: z.string(),
  status,
  expected: z.string(),
  actual: z.string(),
  source: z.string(),
  message: z.string(),
  fix: z.string(),
  /** Time spent judging it, on the runner. */
  durationMs: z.number(),
});
export type ResultEntry = z.infer<typeof resultEntry>;

/** Per host, what the reports need beyond the verdicts: how it was reached and every command sent. */
export const hostRecord = z.strictObject({
  lab: z.string(),
  host: z.string(),
  address: z.string(),
  labAddress: z.string(),
  role,
  transport: z.string(),
  startedAt: z.iso.datetime(),
  durationMs: z.number(),
  connection: connectionOutcome,
  notes: z.array(z.string()),
  /** The remote command, then each probe command the script ran, in order. */
  commands: z.array(z.string()),
  /** The snapshot file, relative to the run folder. */
  snapshot: z.string(),
});
export type HostRecord = z.infer<typeof hostRecord>;

/** Which checks the run judged: its profile, the patterns it was limited to, and the skips chosen with their reasons. */
export const checkSelection = z.strictObject({
  profile: z.enum(CHECK_PROFILES),
  /** null: every check of the profile. */
  only: z.array(z.string()).nullable(),
  skip: z.array(
    z.strictObject({
      pattern: z.string(),
      reason: z.string(),
      /** Who chose it (`--skip`, `lab.yaml:14 checks.skip[0].id`), as its skipped checks' source; absent in older runs. */
      source: z.string().optional(),
    }),
  ),
});
export type RecordedSelection = z.infer<typeof checkSelection>;

export const summary = z.strictObject({ pass: z.int(), fail: z.int(), error: z.int(), skip: z.int() });
export type Summary = z.infer<typeof summary>;

/** A shard's place in a sharded run (`labspec run --shard K/N`), and what `labspec merge` checks shards agree on. */
export const shardInfo = z.strictObject({
  index: z.int().positive(),
  count: z.int().positive(),
  /** The inventory the shards were cut from: a hash of its labs' expected values and hosts (run/shard.ts). */
  inventory: z.string(),
  /** The labspec that ran the shard. */
  labspec: z.string(),
});
export type ShardInfo = z.infer<typeof shardInfo>;

/** results.json, and the one argument every report writer receives. Documented in README ("Reports"). */
export const resultsDocument = z.strictObject({
  schema: z.literal(RESULTS_SCHEMA),
  run: z.strictObject({
    id: z.string(),
    /** live: the hosts were read now; replay: saved snapshots were judged again. */
    kind: z.enum(['live', 'replay']),
    /** The run whose snapshots were judged: this one for a live run. */
    gatheredBy: z.string(),
    startedAt: z.iso.datetime(),
    durationMs: z.number(),
    /** The test-name pattern that selected the checks, if any. */
    filter: z.string().nullable(),
    /** The checks chosen for the run (--profile, --only, --skip, the inventory's profile and checks). */
    checks: checkSelection,
    /** Set when the run read one shard of the inventory; null for a whole run, or shards merged into one. */
    shard: shardInfo.nullable(),
  }),
  summary,
  hosts: z.array(hostRecord),
  results: z.array(resultEntry),
});
export type RunReport = z.infer<typeof resultsDocument>;

export function summarize(results: readonly ResultEntry[]): Summary {
  const counts = { pass: 0, fail: 0, error: 0, skip: 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}
