import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SECTIONS } from '../checks/registry.ts';
import { readSnapshotFile, type HostSnapshot } from '../facts/snapshot.ts';
import { refreshFacts } from '../gather/gather.ts';
import { classGradeDocument, type AppliedRubric } from '../grade/model.ts';
import { paint, verdictList } from '../outputs/console.ts';
import { resultsDocument, type RecordedSelection, type RunReport, type ShardInfo } from '../outputs/report.ts';
import { newRunId, ReportsFolder } from '../outputs/report-set.ts';
import { EXIT } from './exit-codes.ts';
import { judgedOf } from './judge.ts';
import { buildReport, failUsage, finishRun, type Console, type PreparedRun } from './run.ts';
import { UsageError, type RunSettings } from './settings.ts';
import { inventoryFingerprint, outlineOfSnapshots } from './shard.ts';
import { labspecVersion } from './version.ts';

/** One shard's reports, as `labspec run --shard K/N` wrote them. */
interface ShardReports {
  dir: string;
  /** The shard's run folder, where its class.json is when the inventory is a class. */
  runDir: string;
  report: RunReport;
  shard: ShardInfo;
  snapshots: HostSnapshot[];
}

/**
 * `labspec merge DIR... --reports OUT`: the shards of one sharded run become one report set, the one
 * an unsharded run would have written. Labs are whole in each shard, so every verdict (cross-host
 * ones too) is taken as its shard judged it, in inventory order; the shards must be every shard of
 * one inventory, once each, from this labspec, or nothing is written.
 */
export function mergeShards(dirs: readonly string[], settings: RunSettings, io: Console): number {
  // Refused before failUsage could withdraw OUT's top-level reports: they are that shard's.
  if (dirs.some((dir) => samePath(dir, settings.reports))) {
    io.stderr.write(`labspec: --reports ${settings.reports} is one of the shards; write the merge elsewhere\n`);
    return EXIT.usage;
  }
  let merged: { run: PreparedRun; report: RunReport };
  try {
    merged = prepareMerge(dirs, settings.reports);
  } catch (error) {
    return failUsage(settings, error, io);
  }
  if (!settings.quiet) io.stdout.write(verdictList(merged.run.judged, paint(settings.color)));
  return finishRun(settings, merged.run, merged.report, io);
}

function prepareMerge(dirs: readonly string[], reports: string): { run: PreparedRun; report: RunReport } {
  if (dirs.length === 0) throw new UsageError('merge takes the reports folder of every shard: labspec merge DIR...');
  new ReportsFolder(reports).assertWritable();
  const shards = dirs.map(readShard);
  checkSameSplit(shards);
  const byIndex = new Map<number, ShardReports>();
  for (const s of shards) {
    const twice = byIndex.get(s.shard.index);
    if (twice) throw new UsageError(`shard ${nameOf(s.shard)} given twice: ${twice.dir} and ${s.dir}`);
    byIndex.set(s.shard.index, s);
  }
  const { count } = shards[0]!.shard;
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((index) => !byIndex.has(index));
  if (missing.length > 0) {
    throw new UsageError(
      `shard ${missing.map((index) => `${index}/${count}`).join(', ')} missing: merge needs the reports of every shard`,
    );
  }
  const ordered = [...byIndex.values()].sort((a, b) => a.shard.index - b.shard.index);
  const shardOfLab = labsOf(ordered);

  const snapshots = ordered.flatMap((s) => s.snapshots).sort((a, b) => a.position - b.position);
  if (inventoryFingerprint(outlineOfSnapshots(snapshots)) !== shards[0]!.shard.inventory) {
    throw new UsageError(
      "the shards' snapshots do not make up the inventory they were cut from: a host's snapshot is missing, extra or changed",
    );
  }
  const labOrder = [...new Set(snapshots.map((s) => s.lab))];
  const multipleLabs = labOrder.length > 1;
  const entries = labOrder.flatMap((lab) => shardOfLab.get(lab)!.report.results.filter((r) => r.lab === lab));
  if (entries.length === 0) throw new UsageError('the shards hold no verdict: nothing was checked');

  const starts = ordered.map((s) => Date.parse(s.report.run.startedAt));
  const ends = ordered.map((s) => Date.parse(s.report.run.startedAt) + s.report.run.durationMs);
  const run: PreparedRun = {
    runId: newRunId(),
    startedAt: new Date(Math.min(...starts)),
    kind: 'live',
    gatheredBy: ordered
      .filter((s) => s.snapshots.length > 0)
      .map((s) => s.report.run.gatheredBy)
      .join(','),
    gathered: snapshots.map(refreshFacts),
    judged: entries.map((entry) => judgedOf(entry, multipleLabs)),
    multipleLabs,
    shard: null,
    checks: shards[0]!.report.run.checks,
    grading: snapshots.some((s) => s.student !== undefined) ? { rubric: shardsRubric(ordered) } : null,
  };
  const report = buildReport(run, run.judged, shards[0]!.report.run.filter);
  // The merged run lasted from the first shard's start to the last shard's end.
  return { run, report: { ...report, run: { ...report.run, durationMs: Math.max(...ends) - Math.min(...starts) } } };
}

/** A shard's reports folder (its top-level results.json and the run folder it names) or one of its run folders. */
function readShard(dir: string): ShardReports {
  const resultsPath = join(dir, 'results.json');
  if (!existsSync(resultsPath)) {
    throw new UsageError(
      `${dir}: no results.json; give each shard's reports folder or run folder (a shard that ended with exit 2 or 4 wrote none)`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(resultsPath, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`${resultsPath}: not ${error instanceof SyntaxError ? 'JSON' : 'readable'} (${reason})`);
  }
  const parsed = resultsDocument.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      `${resultsPath}: not a labspec results.json (${issue?.path.join('.') || '(top)'}: ${issue?.message})`,
    );
  }
  const report = parsed.data;
  const shard = report.run.shard;
  if (!shard)
    throw new UsageError(`${resultsPath}: not the reports of a shard; run each shard with labspec run --shard K/N`);
  const runDir = isDirectory(join(dir, 'runs', report.run.id)) ? join(dir, 'runs', report.run.id) : dir;
  const snapshots = report.hosts.map((host) => {
    const path = join(runDir, host.snapshot);
    const snapshot = readSnapshotFile(path);
    if (snapshot.lab !== host.lab || snapshot.host.name !== host.host || snapshot.runId !== report.run.gatheredBy) {
      throw new UsageError(
        `${path}: holds ${snapshot.lab}/${snapshot.host.name} of run ${snapshot.runId ?? '(none)'}; ${resultsPath} expects ${host.lab}/${host.host} of run ${report.run.gatheredBy}`,
      );
    }
    return snapshot;
  });
  for (const entry of report.results) {
    if (!report.hosts.some((h) => h.lab === entry.lab)) {
      throw new UsageError(`${resultsPath}: a verdict for lab ${entry.lab}, whose hosts this shard did not read`);
    }
    if (!SECTIONS.some((section) => section.id === entry.section)) {
      throw new UsageError(
        `${resultsPath}: ${entry.check} is in section ${entry.section}, which this labspec does not have`,
      );
    }
  }
  return { dir, runDir, report, shard, snapshots };
}

/**
 * A class is graded once, over every shard's labs (so clones in different shards are found), with the rubric the
 * shards were graded with: each shard's class.json holds it, and they must agree.
 */
function shardsRubric(shards: readonly ShardReports[]): AppliedRubric {
  const rubrics = shards.map((s) => {
    const file = join(s.runDir, 'class.json');
    try {
      return { file, rubric: classGradeDocument.shape.rubric.parse(JSON.parse(readFileSync(file, 'utf8')).rubric) };
    } catch {
      throw new UsageError(`${file}: missing or not a labspec class.json; the shards of a class each write one`);
    }
  });
  const first = rubrics[0]!;
  const other = rubrics.find((r) => JSON.stringify(r.rubric) !== JSON.stringify(first.rubric));
  if (other) {
    throw new UsageError(
      `${other.file}: graded with another rubric than ${first.file}; run every shard with the same one`,
    );
  }
  return first.rubric;
}

/** Every shard must come from one `--shard K/N` split of one inventory, by this labspec, with the same filter and checks. */
function checkSameSplit(shards: readonly ShardReports[]): void {
  const version = labspecVersion();
  const first = shards[0]!;
  for (const s of shards) {
    if (s.shard.labspec !== version) {
      throw new UsageError(
        `${s.dir}: shard ${nameOf(s.shard)} was run by labspec ${s.shard.labspec}, this is ${version}: merge with the labspec that ran the shards`,
      );
    }
    if (s.shard.count !== first.shard.count) {
      throw new UsageError(
        `${s.dir}: shard ${nameOf(s.shard)}, but ${first.dir} is shard ${nameOf(first.shard)}: the shards of one run share N`,
      );
    }
    if (s.shard.inventory !== first.shard.inventory) {
      throw new UsageError(`${s.dir}: sharded from another inventory than ${first.dir} (its labs or hosts differ)`);
    }
    if (s.report.run.filter !== first.report.run.filter) {
      throw new UsageError(
        `${s.dir}: run with filter ${JSON.stringify(s.report.run.filter)}, ${first.dir} with ${JSON.stringify(first.report.run.filter)}: give every shard the same -t`,
      );
    }
    if (comparableChecks(s.report.run.checks) !== comparableChecks(first.report.run.checks)) {
      throw new UsageError(
        `${s.dir}: run with checks ${JSON.stringify(s.report.run.checks)}, ${first.dir} with ${JSON.stringify(first.report.run.checks)}: give every shard the same --profile, --only and --skip`,
      );
    }
  }
}

/**
 * The checks a shard chose, without who chose each skip: an inventory's skips name its path, which may differ
 * between the CI's machines.
 */
function comparableChecks(checks: RecordedSelection): string {
  return JSON.stringify({ ...checks, skip: checks.skip.map(({ pattern, reason }) => ({ pattern, reason })) });
}

/** Which shard holds each lab; a lab in two shards is an error. */
function labsOf(shards: readonly ShardReports[]): Map<string, ShardReports> {
  const shardOfLab = new Map<string, ShardReports>();
  for (const s of shards) {
    for (const lab of new Set(s.snapshots.map((snapshot) => snapshot.lab))) {
      const other = shardOfLab.get(lab);
      if (other) {
        throw new UsageError(
          `lab ${lab} is in both ${other.dir} (shard ${nameOf(other.shard)}) and ${s.dir} (shard ${nameOf(s.shard)})`,
        );
      }
      shardOfLab.set(lab, s);
    }
  }
  return shardOfLab;
}

function nameOf(shard: ShardInfo): string {
  return `${shard.index}/${shard.count}`;
}

function samePath(a: string, b: string): boolean {
  const real = (path: string) => (existsSync(path) ? realpathSync(path) : resolve(path));
  return real(a) === real(b);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
