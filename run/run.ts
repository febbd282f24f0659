import { join } from 'node:path';
import { readSnapshots, snapshotFileName, snapshotFiles, SnapshotError } from '../facts/snapshot.ts';
import { gatherLabs, refreshFacts, type GatheredHost } from '../gather/gather.ts';
import { InventoryError, loadInventory } from '../inventory/load.ts';
import { consoleSummary, paint, verdictList } from '../outputs/console.ts';
import { buildJunit } from '../outputs/junit.ts';
import { progressReporter, type ConsoleStream } from '../outputs/progress.ts';
import { RESULTS_SCHEMA, summarize, type HostRecord, type RunReport } from '../outputs/report.ts';
import { newRunId, ReportsFolder, ReportsUnwritable } from '../outputs/report-set.ts';
import { EXIT, exitCodeOf } from './exit-codes.ts';
import { judgeLabs, observeLabs, planChecks, type Judged } from './judge.ts';
import { UsageError, type RunSettings } from './settings.ts';

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
    const snapshots = readSnapshots(settings.replayFrom);
    const gathered = snapshots.map(refreshFacts);
    const gatheredBy = [...new Set(snapshots.map((s) => s.runId ?? 'unknown'))].join(',');
    return { runId, startedAt, kind: 'replay', gatheredBy, gathered, judged: judgeLabs(observeLabs(gathered)) };
  }
  const inventory = loadInventory(settings.inventory);
  const filter = settings.filter;
  if (filter && !planChecks(inventory.labs).some((planned) => filter.pattern.test(planned.fullName))) {
    throw new UsageError(`--filter ${JSON.stringify(filter.source)} selects no check; nothing was contacted`);
  }
  const total = inventory.labs.reduce((n, lab) => n + lab.hosts.length, 0);
  const progress = progressReporter(io.stderr, total, inventory.labs.length > 1);
  let gathered: GatheredHost[];
  try {
    gathered = await gatherLabs(inventory.labs, {
      concurrency: settings.concurrency,
      runId,
      onHostDone: progress.hostDone,
    });
  } finally {
    progress.done();
  }
  return { runId, startedAt, kind: 'live', gatheredBy: runId, gathered, judged: judgeLabs(observeLabs(gathered)) };
}

/** The run's report, from the checks that were selected to run. */
export function buildReport(run: PreparedRun, selected: readonly Judged[], filter: string | null): RunReport {
  const multipleLabs = new Set(run.gathered.map((g) => g.lab)).size > 1;
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
    },
    summary: summarize(results),
    hosts: run.gathered.map((g) => hostRecord(g, multipleLabs)),
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
      ...snapshotFiles(run.gathered),
    ]);
  } catch (error) {
    if (!(error instanceof ReportsUnwritable)) throw error;
    io.stdout.write(consoleSummary(report, [], p));
    io.stderr.write(`labspec: ${error.message}\n`);
    return EXIT.reportsUnwritable;
  }
  const written = [join(settings.reports, 'junit.xml'), join(settings.reports, 'results.json'), `${runDir}/`];
  io.stdout.write(consoleSummary(report, written, p));
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
  if (selected.length === 0) {
    const why = new UsageError(`--filter ${JSON.stringify(settings.filter?.source)} selects no check`);
    return failUsage(settings, why, io);
  }
  if (!settings.quiet) io.stdout.write(verdictList(selected, paint(settings.color)));
  return finishRun(settings, run, buildReport(run, selected, settings.filter?.source ?? null), io);
}
