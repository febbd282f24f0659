import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import {
  locateSnapshots,
  readSnapshots,
  snapshotFileName,
  snapshotFiles,
  SnapshotError,
  type HostSnapshot,
} from '../facts/snapshot.ts';
import { CaptureError } from '../gather/capture.ts';
import { gatherLabs, refreshFacts, type GatheredHost } from '../gather/gather.ts';
import { gradeClass } from '../grade/grade.ts';
import { identityValues } from '../grade/identity.ts';
import { classGradeDocument, type AppliedRubric, type ClassGrade } from '../grade/model.ts';
import { loadRubricFile, resolveRubric } from '../grade/rubric.ts';
import { adHocInventory } from '../inventory/ad-hoc.ts';
import { InventoryError, loadInventory, type Inventory } from '../inventory/load.ts';
import { buildClassCsv } from '../outputs/class-csv.ts';
import { renderClassHtml } from '../outputs/class-html.ts';
import { classSummary } from '../outputs/class-console.ts';
import { consoleSummary, paint, verdictList } from '../outputs/console.ts';
import { buildHistory, buildHistoryCsv, readPastGrades } from '../outputs/history.ts';
import { buildMoodleCsv } from '../outputs/moodle-csv.ts';

import { buildJunit } from '../outputs/junit.ts';
import { progressReporter, type ConsoleStream } from '../outputs/progress.ts';
import {
  checkSelection,
  RESULTS_SCHEMA,
  summarize,
  type HostRecord,
  type RecordedSelection,
  type RunReport,
  type ShardInfo,
} from '../outputs/report.ts';
import { newRunId, ReportsFolder, ReportsUnwritable, type ReportFiles } from '../outputs/report-set.ts';
import { studentReportFiles } from '../outputs/student-report.ts';
import { EXIT, exitCodeOf } from './exit-codes.ts';
import { judgeLabs, observeLabs, planChecks, type Judged } from './judge.ts';
import {
  choosesChecks,
  isSelected,
  JUDGE_ALL,
  recordedSelection,
  selectChecks,
  selectionOfRecord,
  type CheckSelection,
} from './selection.ts';
import { gatherCaptures } from './offline.ts';
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
  /** The checks chosen for the run, as results.json records them. */
  checks: RecordedSelection;
  /** How the run is graded when it is a class's (labs:, or roster: with template:); null otherwise. */
  grading: { rubric: AppliedRubric } | null;
}

/**
 * Reads every host (or the saved snapshots) and judges every check. Throws a UsageError (or an
 * inventory/snapshot error) before any host is contacted when the settings cannot be used.
 */
export async function prepareRun(settings: RunSettings, io: Console): Promise<PreparedRun> {
  const startedAt = new Date();
  const runId = newRunId(startedAt);
  new ReportsFolder(settings.reports).assertWritable();
  if (settings.captures !== null) {
    if (settings.shard)
      throw new UsageError('--shard (LABSPEC_SHARD) is for live runs: grade judges every capture given');
    const inventory = settings.captures.inventory === null ? null : loadInventory(settings.captures.inventory);
    const grading = noRubricOutsideAClass(settings);
    const { gathered, multipleLabs } = gatherCaptures(settings.captures.sources, inventory, runId);
    for (const g of gathered) if (!g.connection.ok) io.stderr.write(`labspec: ${g.connection.message}\n`);
    const labs = observeLabs(gathered);
    const selection = selectChecks(
      settings.checks,
      inventory?.checks ?? null,
      planChecks(
        labs.map((lab) => lab.view),
        multipleLabs,
      ),
    );
    const judged = judgeLabs(labs, multipleLabs, selection);
    const checks = recordedSelection(selection);
    return {
      runId,
      startedAt,
      kind: 'live',
      gatheredBy: runId,
      gathered,
      judged,
      multipleLabs,
      shard: null,
      checks,
      grading,
    };
  }
  if (settings.replayFrom !== null) {
    if (settings.shard) {
      throw new UsageError('--shard (LABSPEC_SHARD) is for live runs: replay judges every snapshot given');
    }
    const all = readSnapshots(settings.replayFrom);
    // Snapshots from before students were recorded are a class's when they hold several labs.
    const isClass = all.some((s) => s.student !== undefined) || new Set(all.map((s) => s.lab)).size > 1;
    const snapshots = selectStudents(all, settings.labs, isClass, (s) => [s.lab, s.student?.id ?? s.lab]);
    const grading = isClass ? { rubric: replayRubric(settings) } : noRubricOutsideAClass(settings);
    const gathered = snapshots.map(refreshFacts);
    const gatheredBy = [...new Set(snapshots.map((s) => s.runId ?? 'unknown'))].join(',');
    const multipleLabs = new Set(all.map((s) => s.lab)).size > 1;
    const labs = observeLabs(gathered);
    // The checks the replayed run chose, unless the command line chooses them: then its choice replaces that one.
    const selection = choosesChecks(settings.checks)
      ? selectChecks(
          settings.checks,
          null,
          planChecks(
            labs.map((lab) => lab.view),
            multipleLabs,
          ),
        )
      : replayedSelection(settings.replayFrom, all);
    const judged = judgeLabs(labs, multipleLabs, selection);
    const checks = recordedSelection(selection);
    return {
      runId,
      startedAt,
      kind: 'replay',
      gatheredBy,
      gathered,
      judged,
      multipleLabs,
      shard: null,
      grading,
      checks,
    };
  }
  const inventory = settings.targets
    ? adHocInventory(settings.targets.hosts, settings.targets.connection)
    : loadInventory(settings.inventory);
  const multipleLabs = inventory.labs.length > 1;
  if (settings.labs !== null && settings.shard) {
    throw new UsageError('--lab with --shard: shard the whole class, or pick students with --lab, not both');
  }
  const selected = selectStudents(inventory.labs, settings.labs, inventory.isClass, (lab) => [
    lab.settings.name,
    lab.student?.id ?? lab.settings.name,
  ]);
  const grading = inventory.isClass
    ? { rubric: inventoryRubric(inventory, settings) }
    : noRubricOutsideAClass(settings);
  // Every choice is checked against the whole inventory, so each shard of a run accepts and refuses the same ones.
  const selection = selectChecks(settings.checks, inventory.checks, planChecks(inventory.labs));
  const filter = settings.filter;
  if (
    filter &&
    !planChecks(selected, multipleLabs).some(
      (plan) => isSelected(selection, plan) && filter.pattern.test(plan.fullName),
    )
  ) {
    throw new UsageError(`--filter ${JSON.stringify(filter.source)} selects no check; nothing was contacted`);
  }
  const share = settings.shard ? shareOf(inventory.labs, settings.shard) : selected;
  const shard = settings.shard && {
    ...settings.shard,
    inventory: inventoryFingerprint(inventory.labs),
    labspec: labspecVersion(),
  };
  const progress = progressReporter(
    io.stderr,
    share.flatMap((lab) => lab.hosts.map((h) => ({ lab: h.lab, host: h.name }))),
    multipleLabs,
  );
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
  const judged = judgeLabs(observeLabs(gathered), multipleLabs, selection);
  const checks = recordedSelection(selection);
  return { runId, startedAt, kind: 'live', gatheredBy: runId, gathered, judged, multipleLabs, shard, grading, checks };
}
/**
 * `--lab ID …`: only the labs whose student id or lab name is given, before anything is contacted. An id that is
 * no student's is a usage error naming the known ones, and so is --lab on an inventory that is not a class.
 */
function selectStudents<T>(
  items: readonly T[],
  wanted: readonly string[] | null,
  isClass: boolean,
  namesOf: (item: T) => string[],
): T[] {
  if (wanted === null) return [...items];
  if (!isClass) throw new UsageError('--lab selects students of a class; this inventory has no labs: or roster:');
  const known = new Set(items.flatMap(namesOf));
  const unknown = wanted.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    const ids = [...new Set(items.map((item) => namesOf(item)[1]!))];
    const shown = ids.slice(0, 10).join(', ') + (ids.length > 10 ? ` … (${ids.length} in all)` : '');
    throw new UsageError(`--lab ${unknown.join(', ')}: no such student (students: ${shown}); nothing was contacted`);
  }
  return items.filter((item) => namesOf(item).some((name) => wanted.includes(name)));
}

function noRubricOutsideAClass(settings: RunSettings): null {
  if (settings.rubricFile !== null || settings.gradeScale !== null) {
    throw new UsageError('--rubric and --grade-scale grade a class; this inventory has no labs: or roster:');
  }
  return null;
}

/** A --rubric file, else the inventory's rubric: section, else the defaults; checked before any host is contacted. */
function inventoryRubric(inventory: Inventory, settings: RunSettings): AppliedRubric {
  const given = settings.rubricFile !== null ? loadRubricFile(settings.rubricFile) : inventory.rubric;
  return resolveRubric(given, settings.gradeScale);
}

/**
 * Replaying a class: a --rubric file, else the rubric the replayed run was graded with (its class.json next to the
 * snapshots), so the same snapshots give the same grades; the defaults when the run has none.
 */
function replayRubric(settings: RunSettings): AppliedRubric {
  if (settings.rubricFile !== null) return resolveRubric(loadRubricFile(settings.rubricFile), settings.gradeScale);
  const file = join(dirname(locateSnapshots(settings.replayFrom!)), 'class.json');
  if (!existsSync(file)) return resolveRubric(null, settings.gradeScale);
  let recorded: AppliedRubric;
  try {
    recorded = classGradeDocument.shape.rubric.parse(JSON.parse(readFileSync(file, 'utf8')).rubric);
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : 'no rubric in it';
    throw new SnapshotError(`${file}: cannot read the rubric the run was graded with (${reason}); give --rubric FILE`);
  }
  return { ...recorded, gradeScale: settings.gradeScale ?? recorded.gradeScale };
}

/** What a replay reads of the replayed run's results.json: whose snapshots it judged, and the checks it chose. */
const replayedRun = z.object({
  gatheredBy: z.string(),
  /** Absent in results written before checks could be chosen: every check was judged. */
  checks: checkSelection.optional(),
});

/**
 * The checks the replayed run chose (its results.json next to the snapshots), so its snapshots are judged with the
 * same profile, --only and skips. Without a results.json (a facts folder copied alone), every check; one that
 * cannot be read, or that is another run's, is a snapshot error: nothing is judged on a guess.
 */
function replayedSelection(replayFrom: string, snapshots: readonly HostSnapshot[]): CheckSelection {
  const file = join(dirname(locateSnapshots(replayFrom)), 'results.json');
  if (!existsSync(file)) return JUDGE_ALL;
  const giveThem = 'give --profile, --only or --skip to choose the checks';
  let run: z.infer<typeof replayedRun>;
  try {
    run = replayedRun.parse((JSON.parse(readFileSync(file, 'utf8')) as { run?: unknown }).run);
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : 'not the results of a labspec run';
    throw new SnapshotError(`${file}: cannot read the checks the replayed run chose (${reason}); ${giveThem}`);
  }
  const recorded = new Set(run.gatheredBy.split(','));
  const other = snapshots.find((s) => s.runId !== undefined && !recorded.has(s.runId));
  if (other) {
    throw new SnapshotError(
      `${file}: the results of run ${run.gatheredBy}, but ${other.host.name}'s snapshot is of run ${other.runId}; ${giveThem}`,
    );
  }
  return run.checks === undefined ? JUDGE_ALL : selectionOfRecord(run.checks);
}

/** The class graded from the run's report: students and machine identities from the snapshots. */
export function gradeRun(run: PreparedRun, report: RunReport, rubric: AppliedRubric): ClassGrade {
  const students = new Map<string, NonNullable<HostSnapshot['student']>>();
  for (const g of run.gathered) if (g.student) students.set(g.lab, g.student);
  return gradeClass({
    report,
    students: [...students].map(([lab, student]) => ({ lab, student })),
    identities: run.gathered.map((g) => ({ lab: g.lab, host: g.host.name, identity: identityValues(g) })),
    rubric,
  });
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
      checks: run.checks,
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
  const grade = run.grading ? gradeRun(run, report, run.grading.rubric) : null;
  const classFiles = grade ? classReportFiles(grade, folder, settings) : [];
  let runDir: string;
  try {
    runDir = folder.publish(run.runId, [
      { name: 'junit.xml', content: () => buildJunit(report) },
      { name: 'results.json', content: () => `${JSON.stringify(report, null, 2)}\n` },
      ...classFiles,
      ...snapshotFiles(run.gathered, run.multipleLabs),
    ]);
  } catch (error) {
    if (!(error instanceof ReportsUnwritable)) throw error;
    io.stdout.write(consoleSummary(report, [], p, run.multipleLabs));
    if (grade) io.stdout.write(classSummary(grade, [], p));
    io.stderr.write(`labspec: ${error.message}\n`);
    return EXIT.reportsUnwritable;
  }
  const written = [join(settings.reports, 'junit.xml'), join(settings.reports, 'results.json'), `${runDir}/`];
  io.stdout.write(consoleSummary(report, written, p, run.multipleLabs));
  if (grade) {
    const classOutputs = ['class.html', 'students/', 'class.csv', 'moodle.csv', 'history.csv'].map((name) =>
      join(settings.reports, name),
    );
    io.stdout.write(classSummary(grade, classOutputs, p));
  }
  return exitCodeOf(report.summary);
}

/** A class's report files: the grades (class.json, class.csv, moodle.csv) and every run's scores (history.csv/json). */
function classReportFiles(
  grade: ClassGrade,
  folder: ReportsFolder,
  { lang, disclose }: Pick<RunSettings, 'lang' | 'disclose'>,
): ReportFiles {
  const history = buildHistory([...readPastGrades(join(folder.root, 'runs'), grade.run.id), grade]);
  return [
    { name: 'class.html', content: () => renderClassHtml(grade, { lang, history }) },
    ...studentReportFiles(grade, { lang, disclose }),
    { name: 'class.json', content: () => `${JSON.stringify(grade, null, 2)}\n` },
    { name: 'class.csv', content: () => buildClassCsv(grade) },
    { name: 'moodle.csv', content: () => buildMoodleCsv(grade) },
    { name: 'history.csv', content: () => buildHistoryCsv(history) },
    { name: 'history.json', content: () => `${JSON.stringify(history, null, 2)}\n` },
  ];
}

/** A setting, inventory or snapshot problem: one line per problem, and no stale top-level report left for CI to publish. */
export function failUsage(settings: Pick<RunSettings, 'reports'>, error: unknown, io: Console): number {
  if (error instanceof InventoryError) {
    for (const problem of error.problems) io.stderr.write(`${problem}\n`);
    io.stderr.write(`labspec: ${error.summary}, nothing was contacted\n`);
  } else if (
    error instanceof UsageError ||
    error instanceof SnapshotError ||
    error instanceof CaptureError ||
    error instanceof ReportsUnwritable
  ) {
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
