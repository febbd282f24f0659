import type { HostRecord } from '../helpers/run-data.ts';
import type { ResultEntry } from './result-entry.ts';

export const RESULTS_SCHEMA = 'labspec/results@1';

/** results.json: documented in README ("Reports"). */
export function buildResultsJson(entries: ResultEntry[], hosts: HostRecord[]): string {
  const summary = { pass: 0, fail: 0, error: 0, skip: 0 };
  for (const e of entries) summary[e.status]++;
  return `${JSON.stringify({ schema: RESULTS_SCHEMA, generatedAt: new Date().toISOString(), summary, hosts, results: entries }, null, 2)}\n`;
}
