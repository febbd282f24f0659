import { join } from 'node:path';
import { readSnapshots, snapshotFileName, snapshotFiles, SnapshotError } from '../facts/snapshot.ts';
import { gatherLabs, refreshFacts, type GatheredHost } from '../gather/gather.ts';
import { InventoryError, loadInventory } from '../inventory/load.ts';
import { consoleSummary, paint, verdictList } from '../outputs/console.ts';
import { buildJunit } from '../outputs/junit.ts';
import { progressReporter, type ConsoleStream } from '../outputs/progress.ts';
import { RESULTS_SCHEMA, summarize, type HostRecord, type RunReport, type ShardInfo } from '../outputs/report.ts';
import { newRunId, ReportsFolder, ReportsUnwritable } from '../outputs/report-set.ts';
import { EXIT, exitCodeOf } from './exit-codes.ts';
import { judgeLabs, observeLabs, planChecks, type Judged } from './judge.ts';
import { UsageError, type RunSettings } from './settings.ts';
import { inventoryFingerprint, shareOf } from './shard.ts';
import { labspecVersion } from './version.ts';

export interface Console {
  stdout: ConsoleStream;
  stderr: ConsoleStream;
}

/** The hosts of a run, read (live) or loaded (replay), and every check judged on them. */
export interface PreparedRun {
  runId: string;
  startedAt: Date;
  kind: 'live' | 'replay';
  gatheredBy: string;
  gathered: GatheredHost[];
  judged: Judged[];
  /** Whether the inventory has several labs: reports then name hosts `<lab>/<host>` (a shard may hold only one). */
  multipleLabs: boolean;
  /** Set for one shard of a sharded run. */
  shard: ShardInfo | null;
}

/**
 * Reads every host (or the saved snapshots) and judges every check. Throws a UsageError (or an
 * inventory/snapshot error) before any host is contacted when the settings cannot be used.
 */
export async function prepareRun(settings: RunSettings, io: Console): Promise<PreparedRun> {
  const startedAt = new Date();
  const runId = newRunId(startedAt);
  new ReportsFolder(settings.reports).assertWritable();
  if (settings.replayFrom !== null) {
    if (settings.shard) {
      throw new UsageError('--shard (LABSPEC_SHARD) is for live runs: replay judges every snapshot given');
    }
    const snapshots = readSnapshots(settings.replayFrom);
    const gathered = snapshots.map(refreshFacts);
    const gatheredBy = [...new Set(snapshots.map((s) => s.runId ?? 'unknown'))].join(',');
    const judged = judgeLabs(observeLabs(gathered));
    const multipleLabs = new Set(gathered.map((g) => g.lab)).size > 1;
    return { runId, startedAt, kind: 'replay', gatheredBy, gathered, judged, multipleLabs, shard: null };
  }
  const inventory = loadInventory(settings.inventory);
  const multipleLabs = inventory.labs.length > 1;
  const filter = settings.filter;
  if (filter && !planChecks(inventory.labs).some((planned) => filter.pattern.test(planned.fullName))) {
    throw new UsageError(`--filter ${JSON.stringify(filter.source)} selects no check; nothing was contacted`);
  }
  const share = settings.shard ? shareOf(inventory.labs, settings.shard) : inventory.labs;
  const shard = settings.shard && {
    ...settings.shard,
    inventory: inventoryFingerprint(inventory.labs),
    labspec: labspecVersion(),
  };
  const total = share.reduce((n, lab) => n + lab.hosts.length, 0);
  const progress = progressReporter(io.stderr, total, multipleLabs);
  let gathered: GatheredHost[];
  try {
    gathered = await gatherLabs(inventory.labs, {
      concurrency: settings.concurrency,
      runId,
      onHostDone: progress.hostDone,
      share,
    });
  } finally {
    progress.done();
  }
  const judged = judgeLabs(observeLabs(gathered), multipleLabs);
  return { runId, startedAt, kind: 'live', gatheredBy: runId, gathered, judged, multipleLabs, shard };
}

/** The run's report, from the checks that were selected to run. */
export function buildReport(run: PreparedRun, selected: readonly Judged[], filter: string | null): RunReport {
  const results = selected.map((j) => j.entry);
  return {
    schema: RESULTS_SCHEMA,
    run: {
      id: run.runId,
      kind: run.kind,
      gatheredBy: run.gatheredBy,
      startedAt: run.startedAt.toISOString(),
      durationMs: Date.now() - run.startedAt.getTime(),
      filter,
      shard: run.shard,
    },
    summary: summarize(results),
    hosts: run.gathered.map((g) => hostRecord(g, run.multipleLabs)),
    results,
  };
}

function hostRecord(g: GatheredHost, multipleLabs: boolean): HostRecord {
  return {
    lab: g.lab,
    host: g.host.name,
    address: g.host.address,
    labAddress: g.host.labAddress,
    role: g.host.role,
    transport: g.transport,
    startedAt: g.startedAt,
    durationMs: g.durationMs,
    connection: g.connection,
    notes: g.notes,
    commands: g.connection.ok ? [g.command, ...g.outputs.map((o) => o.command)] : [],
    snapshot: join('facts', snapshotFileName(g, multipleLabs)),
  };
}

/** Writes the report set, prints the summary, and says how the run ends. */
export function finishRun(settings: RunSettings, run: PreparedRun, report: RunReport, io: Console): number {
  const folder = new ReportsFolder(settings.reports);
  const p = paint(settings.color);
  let runDir: string;
  try {
    runDir = folder.publish(run.runId, [
      { name: 'junit.xml', content: buildJunit(report) },
      { name: 'results.json', content: `${JSON.stringify(report, null, 2)}\n` },
      ...snapshotFiles(run.gathered, run.multipleLabs),
    ]);
  } catch (error) {
    if (!(error instanceof ReportsUnwritable)) throw error;
    io.stdout.write(consoleSummary(report, [], p, run.multipleLabs));
    io.stderr.write(`labspec: ${error.message}\n`);
    return EXIT.reportsUnwritable;
  }
  const written = [join(settings.reports, 'junit.xml'), join(settings.reports, 'results.json'), `${runDir}/`];
  io.stdout.write(consoleSummary(report, written, p, run.multipleLabs));
  return exitCodeOf(report.summary);
}

/** A setting, inventory or snapshot problem: one line per problem, and no stale top-level report left for CI to publish. */
export function failUsage(settings: Pick<RunSettings, 'reports'>, error: unknown, io: Console): number {
  if (error instanceof InventoryError) {
    for (const problem of error.problems) io.stderr.write(`${problem}\n`);
    io.stderr.write('labspec: invalid inventory, nothing was contacted\n');
  } else if (error instanceof UsageError || error instanceof SnapshotError || error instanceof ReportsUnwritable) {
    io.stderr.write(`labspec: ${error.message}\n`);
  } else {
    throw error;
  }
  try {
    new ReportsFolder(settings.reports).withdrawTopLevel();
  } catch {
    // An unwritable reports folder has nothing of this run to withdraw.
  }
  return EXIT.usage;
}

/** `labspec run` and `labspec replay`: read or load, judge, filter, report. */
export async function runLabspec(settings: RunSettings, io: Console): Promise<number> {
  let run: PreparedRun;
  try {
    run = await prepareRun(settings, io);
  } catch (error) {
    return failUsage(settings, error, io);
  }
  const selected = settings.filter ? run.judged.filter((j) => settings.filter!.pattern.test(j.fullName)) : run.judged;
  // A shard whose share the filter leaves empty is not an error: the filter was checked against the whole inventory.
  if (selected.length === 0 && run.shard === null) {
    const why = new UsageError(`--filter ${JSON.stringify(settings.filter?.source)} selects no check`);
    return failUsage(settings, why, io);
  }
  if (!settings.quiet) io.stdout.write(verdictList(selected, paint(settings.color)));
  return finishRun(settings, run, buildReport(run, selected, settings.filter?.source ?? null), io);
}
