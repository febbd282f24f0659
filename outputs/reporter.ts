import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { consoleSummary } from './console-summary.ts';
import { buildJunit } from './junit.ts';
import type { ResultEntry } from './result-entry.ts';
import { buildResultsJson } from './results-json.ts';
import { getRunState } from './run-state.ts';

/** Turns the verdicts the spec files attached to their tests into junit.xml, results.json and a summary. */
export default class LabspecReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const state = getRunState();
    if (!state) return;
    const entries = [...testModules]
      .sort((a, b) => a.moduleId.localeCompare(b.moduleId))
      .flatMap((m) => [...m.children.allTests()].map((t) => t.meta().labspec).filter((e): e is ResultEntry => e !== undefined));
    // Inventory order: each lab's hosts as listed, then its cross-host checks.
    const labOrder = [...new Set(state.hosts.map((h) => h.lab))];
    const hostOrder = (e: ResultEntry) => {
      const index = state.hosts.findIndex((h) => h.lab === e.lab && h.host === e.host);
      return index < 0 ? state.hosts.length : index;
    };
    entries.sort((a, b) => labOrder.indexOf(a.lab) - labOrder.indexOf(b.lab) || hostOrder(a) - hostOrder(b));
    mkdirSync(state.reportsDir, { recursive: true });
    const junit = join(state.reportsDir, 'junit.xml');
    const results = join(state.reportsDir, 'results.json');
    writeFileSync(junit, buildJunit(entries, state.hosts));
    writeFileSync(results, buildResultsJson(entries, state.hosts));
    process.stdout.write(consoleSummary(entries, state.hosts, [junit, results, join(state.reportsDir, 'facts/')]));
  }
}
