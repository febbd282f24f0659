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
  /** Errors the scenario does not expect (with their messages): the check could not decide, which is not a failure. */
  errored: string[];
}

/**
 * Do a run's verdicts follow the scenario: exactly its mustFail entries fail, exactly its mustError entries error,
 * everything else passes or skips?
 */
export function compareWithScenario(
  results: ResultRow[],
  scenario: Pick<Scenario, 'mustFail' | 'mustError'>,
): ScenarioComparison {
  const key = (r: ResultRow) => `${r.host ?? 'lab'}:${r.check}`;
  const expected = new Set<string>(scenario.mustFail);
  const expectedErrors = new Set<string>(scenario.mustError ?? []);
  const failed = new Set(results.filter((r) => r.status === 'fail').map(key));
  const erroredKeys = new Set(results.filter((r) => r.status === 'error').map(key));
  const errored = results
    .filter((r) => r.status === 'error' && !expectedErrors.has(key(r)))
    .map((r) => `${key(r)} (${r.message})`);
  const unexpected = [...failed].filter((k) => !expected.has(k));
  const missing = [
    ...[...expected].filter((k) => !failed.has(k)),
    ...[...expectedErrors].filter((k) => !erroredKeys.has(k)),
  ];
  return {
    matches: unexpected.length === 0 && missing.length === 0 && errored.length === 0,
    unexpected,
    missing,
    errored,
  };
}
