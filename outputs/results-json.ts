import { z } from 'zod';
import type { HostRecord } from '../helpers/run-data.ts';
import type { ResultEntry } from './result-entry.ts';

export const RESULTS_SCHEMA = 'labspec/results@1';

const status = z.enum(['pass', 'fail', 'error', 'skip']);

/** The shape of results.json, for consumers and for the tests that read it back. */
export const resultsDocument = z.strictObject({
  schema: z.literal(RESULTS_SCHEMA),
  generatedAt: z.iso.datetime(),
  summary: z.strictObject({ pass: z.int(), fail: z.int(), error: z.int(), skip: z.int() }),
  hosts: z.array(
    z.strictObject({
      lab: z.string(),
      host: z.string(),
      address: z.string(),
      labAddress: z.string(),
      role: z.enum(['controller', 'compute']),
      transport: z.string(),
      startedAt: z.iso.datetime(),
      durationMs: z.number(),
      connection: z.union([z.strictObject({ ok: z.literal(true) }), z.strictObject({ ok: z.literal(false), failure: z.string(), message: z.string() })]),
      notes: z.array(z.string()),
      commands: z.array(z.string()),
      snapshot: z.string(),
    }),
  ),
  results: z.array(
    z.strictObject({
      lab: z.string(),
      host: z.string().nullable(),
      check: z.string(),
      title: z.string(),
      status,
      expected: z.string(),
      actual: z.string(),
      source: z.string(),
      message: z.string(),
      fix: z.string(),
    }),
  ),
});

/** results.json: documented in README ("Reports"). */
export function buildResultsJson(entries: ResultEntry[], hosts: HostRecord[]): string {
  const summary = { pass: 0, fail: 0, error: 0, skip: 0 };
  for (const e of entries) summary[e.status]++;
  return `${JSON.stringify({ schema: RESULTS_SCHEMA, generatedAt: new Date().toISOString(), summary, hosts, results: entries }, null, 2)}\n`;
}
