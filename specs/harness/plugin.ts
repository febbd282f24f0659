import type { Vite } from 'vitest/node';
import type { Reporter, TestModule } from 'vitest/node';
import type { ResultEntry } from '../../outputs/report.ts';
import { EXIT } from '../../run/exit-codes.ts';
import { endOnInterruption } from '../../run/interruption.ts';
import type { Judged } from '../../run/judge.ts';
import { buildReport, failUsage, finishRun, prepareRun, type Console, type PreparedRun } from '../../run/run.ts';
import { reportsPath, resolveRunSettings, UsageError, type RunSettings, type Shard } from '../../run/settings.ts';

/** What each spec file's tests look up: every verdict, with the label its test is named by. */
export interface ProvidedRun {
  judged: Array<Pick<Judged, 'label' | 'entry'>>;
  /** Set when this run is one shard (LABSPEC_SHARD): a section may then have nothing to check. */
  shard: Shard | null;
}

declare module 'vitest' {
  export interface ProvidedContext {
    labspecRun: ProvidedRun;
  }
  interface TaskMeta {
    labspec?: ResultEntry;
  }
}

/**
 * `npm test`: the spec files under vitest, with labspec's own run around them. Before the tests,
 * every host is read once and every check judged (in watch mode, again on every rerun); the spec
 * files attach each verdict to its test, so vitest's -t selects checks; after them, the selected
 * verdicts become the same report set `labspec run` writes. Added as a reporter here, not in the
 * config, so `npm test -- --reporter=x` adds a reporter without removing labspec's reports.
 */
export function labspecPlugin(): Vite.Plugin {
  return {
    name: 'labspec',
    configureVitest({ vitest, project }) {
      const io: Console = { stdout: process.stdout, stderr: process.stderr };
      // npm runs scripts from the package folder; INIT_CWD is where the user typed the command.
      const cwd = process.env.INIT_CWD ?? process.cwd();
      let settings: RunSettings;
      try {
        settings = resolveRunSettings({ flags: {}, env: process.env, cwd, isTTY: process.stdout.isTTY ?? false });
        if (vitest.config.shard) {
          throw new UsageError("vitest's --shard splits the spec files, not the hosts: use LABSPEC_SHARD=K/N npm test");
        }
      } catch (error) {
        process.exit(failUsage({ reports: reportsPath({}, process.env, cwd) }, error, io));
      }
      const pattern = vitest.config.testNamePattern ?? null;
      // vitest's -t selects the tests; a shard checks it against the whole inventory first, as labspec run's -t.
      const shardFilter = settings.shard && pattern ? { source: pattern.source, pattern } : null;
      const reporter = new LabspecReporter({ ...settings, filter: shardFilter }, pattern?.source ?? null, io, (run) =>
        project.provide('labspecRun', run),
      );
      vitest.config.reporters.push(reporter);
      reporter.readEarly();
    },
  };
}

class LabspecReporter implements Reporter {
  private run: PreparedRun | undefined;
  /** The first run's reading, begun while vitest is still starting (it awaits nothing of it until the run). */
  private early: Promise<PreparedRun> | undefined;
  private exitCode: number = EXIT.ok;
  private readonly settings: RunSettings;
  private readonly io: Console;
  private readonly filter: string | null;
  private readonly provide: (run: ProvidedRun) => void;

  /** `filter`: vitest's own -t, which selects the tests; labspec only reports which checks it left. */
  constructor(settings: RunSettings, filter: string | null, io: Console, provide: (run: ProvidedRun) => void) {
    this.settings = settings;
    this.filter = filter;
    this.io = io;
    this.provide = provide;
    // vitest exits 1 for any failed test; labspec's codes also tell errors (3) and usage (2) apart.
    process.on('exit', () => {
      process.exitCode = this.exitCode;
    });
    // On a signal, end before vitest could report a cancelled run's partial verdicts as a report set.
    endOnInterruption((code) => (this.exitCode = code));
  }

  /**
   * Starts reading the hosts now, so that the connections and the hosts' own work overlap vitest's start-up (its
   * workers, the spec files); the first run takes this reading, a rerun in watch mode reads the hosts again.
   */
  readEarly(): void {
    this.early = prepareRun(this.settings, this.io);
    this.early.catch(() => {}); // a usage error is reported when the run takes it, in onTestRunStart
  }

  async onTestRunStart(): Promise<void> {
    const reading = this.early ?? prepareRun(this.settings, this.io);
    this.early = undefined;
    try {
      this.run = await reading;
    } catch (error) {
      // The exit listener set in the constructor decides the code: process.exit(code) alone would be overridden.
      this.exitCode = failUsage(this.settings, error, this.io);
      process.exit(this.exitCode);
    }
    this.provide({
      judged: this.run.judged.map(({ label, entry }) => ({ label, entry })),
      shard: this.run.shard && { index: this.run.shard.index, count: this.run.shard.count },
    });
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const run = this.run;
    if (!run) return;
    const ran = new Set(
      testModules.flatMap((m) =>
        [...m.children.allTests()].flatMap((t) => (t.meta().labspec ? [key(t.meta().labspec!)] : [])),
      ),
    );
    const selected = run.judged.filter((j) => ran.has(key(j.entry)));
    if (selected.length === 0 && run.shard === null) {
      this.exitCode = failUsage(this.settings, new UsageError('-t selects no check'), this.io);
      return;
    }
    this.exitCode = finishRun(this.settings, run, buildReport(run, selected, this.filter), this.io);
  }
}

function key(entry: Pick<ResultEntry, 'lab' | 'host' | 'check'>): string {
  return `${entry.lab}\u0000${entry.host ?? ''}\u0000${entry.check}`;
}
