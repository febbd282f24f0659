import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { labDown, labExecPrefix, labUp, STUDENT_PASSWORD_FILE } from '../../lab/index.ts';
import { runNpmTest } from '../helpers/run-npm-test.ts';

const isRoot = process.getuid?.() === 0;

/** Password authentication, with the password only in an environment variable, against the lab's real sshd. */
describe.skipIf(!isRoot)('password login from an environment variable (local lab, needs root)', () => {
  afterAll(async () => {
    await labDown();
  });

  it('reads both hosts as `student` with the password from LAB_STUDENT_PASSWORD, and fails cleanly without it', async () => {
    const up = await labUp({ scenario: 'compliant', keep: true });
    const lab = parse(readFileSync(up.inventoryPath, 'utf8'));
    const dir = mkdtempSync(join(tmpdir(), 'labspec-password-'));
    const inventory = join(dir, 'lab.yaml');
    const { identityFile: _key, ...defaults } = lab.defaults;
    writeFileSync(
      inventory,
      stringify({ ...lab, defaults: { ...defaults, user: 'student', passwordEnv: 'LAB_STUDENT_PASSWORD' } }),
    );
    const password = readFileSync(STUDENT_PASSWORD_FILE, 'utf8').trim();
    // An empty HOME: no ~/.ssh keys or config of this machine's may stand in for the password.
    const env = { LABSPEC_INVENTORY: inventory, HOME: dir, SSH_AUTH_SOCK: '' };

    const run = runNpmTest({ ...env, LAB_STUDENT_PASSWORD: password }, labExecPrefix());
    expect(run.results.hosts.map((h) => h.connection)).toEqual([{ ok: true }, { ok: true }]);
    const verdict = (host: string, check: string) =>
      run.results.results.find((r) => r.host === host && r.check === check)?.status;
    expect(verdict('controller', 'host.hostname')).toBe('pass');
    expect(verdict('compute1', 'chrony.source')).toBe('pass');

    const without = runNpmTest(env, labExecPrefix());
    // No host could be read, no check failed: an infrastructure fault, not a regression.
    expect(without.exitCode).toBe(3);
    expect(without.results.hosts.map((h) => h.connection)).toEqual([
      expect.objectContaining({
        ok: false,
        failure: 'config',
        message: expect.stringContaining('LAB_STUDENT_PASSWORD'),
      }),
      expect.objectContaining({ ok: false, failure: 'config' }),
    ]);
    rmSync(dir, { recursive: true, force: true });
  });
});
