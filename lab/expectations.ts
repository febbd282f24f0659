import type { Scenario } from './scenarios.ts';

interface ResultRow {
  host: string | null;
  check: string;
  status: string;
  message: string;
}

export interface ScenarioComparison {
  matches: boolean;
  /** `<host>:<check>` entries that failed or errored without being expected to. */
  unexpected: string[];
  /** Expected failures that passed (or never ran). */
  missing: string[];
  /** Expected failures reported as errors: the check could not decide, which is not a failure. */
  errored: string[];
}

/** Do a run's verdicts follow the scenario: exactly its mustFail entries fail, everything else passes or skips? */
export function compareWithScenario(results: ResultRow[], scenario: Pick<Scenario, 'mustFail'>): ScenarioComparison {
  const key = (r: ResultRow) => `${r.host ?? 'lab'}:${r.check}`;
  const expected = new Set<string>(scenario.mustFail);
  const failed = new Set(results.filter((r) => r.status === 'fail').map(key));
  const errored = results.filter((r) => r.status === 'error').map((r) => `${key(r)} (${r.message})`);
  const unexpected = [...failed].filter((k) => !expected.has(k));
  const missing = [...expected].filter((k) => !failed.has(k));
  return {
    matches: unexpected.length === 0 && missing.length === 0 && errored.length === 0,
    unexpected,
    missing,
    errored,
  };
}
