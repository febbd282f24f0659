import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** vitest globalSetup of the selftest: one scratch folder for every test file's reports, removed at the end. */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'labspec-selftest-'));
  process.env.LABSPEC_TEST_SCRATCH = root;
  return () => rmSync(root, { recursive: true, force: true });
}
