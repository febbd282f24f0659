import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { resultsDocument } from '../../outputs/report.ts';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const XSD = join(REPO, 'tests/fixtures/junit/jenkins-junit.xsd');

/** Reports of each run go under the selftest's scratch folder (tests/helpers/scratch.ts), removed after the run. */
function newReportsDir(): string {
  return mkdtempSync(join(process.env.LABSPEC_TEST_SCRATCH ?? tmpdir(), 'reports-'));
}

export interface NpmTestRun {
  exitCode: number | null;
  output: string;
  reports: string;
  results: z.infer<typeof resultsDocument>;
  junit: string;
  /** xmllint's verdict on junit.xml against the Jenkins schema. */
  junitValid: { ok: boolean; message: string };
}

/**
 * Runs the README's `npm test` for real, as a user would, optionally inside a command prefix (the lab netns).
 * With `expectReports: false` (a run that must not publish any), results and junit are left empty.
 */
export function runNpmTest(
  env: Record<string, string>,
  prefix: string[] = [],
  args: string[] = [],
  options: { expectReports?: boolean } = {},
): NpmTestRun {
  const reports = env.LABSPEC_REPORTS ?? newReportsDir();
  // The outer vitest's own variables would leak into the inner run.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('VITEST') && !['TEST', 'NODE_ENV', 'FORCE_COLOR'].includes(k),
    ),
  );
  const [program, ...rest] = [...prefix, 'npm', 'test', '--silent', ...(args.length ? ['--', ...args] : [])];
  const run = spawnSync(program!, rest, {
    cwd: REPO,
    env: { ...inherited, ...env, LABSPEC_REPORTS: reports },
    encoding: 'utf8',
    timeout: 300_000,
  });
  const output = `${run.stdout}${run.stderr}`;
  if (options.expectReports === false) {
    return {
      exitCode: run.status,
      output,
      reports,
      results: emptyResults(),
      junit: '',
      junitValid: { ok: false, message: '' },
    };
  }
  const junitPath = join(reports, 'junit.xml');
  const lint = spawnSync('xmllint', ['--noout', '--schema', XSD, junitPath], { encoding: 'utf8' });
  return {
    exitCode: run.status,
    output,
    reports,
    // Every results.json a test reads must match the documented schema.
    results: resultsDocument.parse(JSON.parse(readFileSync(join(reports, 'results.json'), 'utf8'))),
    junit: readFileSync(junitPath, 'utf8'),
    junitValid: { ok: lint.status === 0, message: lint.stderr.trim() },
  };
}

function emptyResults(): z.infer<typeof resultsDocument> {
  return resultsDocument.parse({
    schema: 'labspec/results@2',
    run: {
      id: '',
      kind: 'live',
      gatheredBy: '',
      startedAt: new Date().toISOString(),
      durationMs: 0,
      filter: null,
      checks: { profile: 'full', only: null, skip: [] },
      shard: null,
    },
    summary: { pass: 0, fail: 0, error: 0, skip: 0 },
    hosts: [],
    results: [],
  });
}
