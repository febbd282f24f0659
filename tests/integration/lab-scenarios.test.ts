import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { compareWithScenario } from '../../lab/expectations.ts';
import { labDown, labExecPrefix, labUp, scenarios } from '../../lab/index.ts';
import { sshRun } from '../../lab/ssh.ts';
import { CHRONYD_FIRST_ANSWER_SECONDS } from '../../probes/chrony-sources.ts';
import { runNpmTest } from '../helpers/run-npm-test.ts';

const isRoot = process.getuid?.() === 0;

/** compute1's chrony wait, as its snapshot recorded it: `key=value` lines and how long the part took. */
function computeWait(reports: string): { said: Record<string, string>; durationMs: number | null } {
  const snapshot = JSON.parse(readFileSync(join(reports, 'facts', 'compute1.json'), 'utf8')) as {
    outputs: { probe: string; part: string; stdout: string; durationMs: number | null }[];
  };
  const wait = snapshot.outputs.find((o) => o.probe === 'chronySources' && o.part === 'wait');
  if (!wait) throw new Error('compute1 was sent no chrony wait');
  return {
    said: Object.fromEntries(
      wait.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('=', 2) as [string, string]),
    ),
    durationMs: wait.durationMs,
  };
}
const CHECKS_PER_HOST = 21; // 19 host checks + hosts.controller + hosts.compute1

/** Every scenario of the local lab, checked by a real `npm test` run from inside the lab network. */
describe.skipIf(!isRoot)('npm test against the local lab (needs root)', () => {
  afterAll(async () => {
    await labDown();
  });

  for (const scenario of scenarios) {
    const errors = scenario.mustError ? `, ${scenario.mustError.join(', ')} error(s)` : '';
    it(`scenario ${scenario.name}: exactly ${scenario.mustFail.join(', ') || 'nothing'} fail(s)${errors}`, async () => {
      const up = await labUp({ scenario: scenario.name });
      const run = runNpmTest({ LABSPEC_INVENTORY: up.inventoryPath }, labExecPrefix());

      const comparison = compareWithScenario(run.results.results, scenario);
      expect(comparison, run.output).toEqual({ matches: true, unexpected: [], missing: [], errored: [] });
      expect(run.exitCode).toBe(scenario.mustFail.length > 0 ? 1 : scenario.mustError ? 3 : 0);

      const perHost = (host: string) => run.results.results.filter((r) => r.host === host);
      expect(perHost('controller')).toHaveLength(CHECKS_PER_HOST);
      expect(perHost('compute1')).toHaveLength(CHECKS_PER_HOST);
      expect(run.results.results.filter((r) => r.host === null).map((r) => r.check)).toEqual([
        'topology.hosts',
        'topology.ntp',
      ]);
      for (const failed of run.results.results.filter((r) => r.status === 'fail')) {
        expect(failed.expected, failed.check).not.toBe('');
        expect(failed.actual, failed.check).not.toBe('');
        expect(failed.source, failed.check).not.toBe('');
        expect(failed.fix, failed.check).not.toBe('');
      }

      expect(run.junitValid).toEqual({ ok: true, message: expect.stringContaining('validates') });
      for (const mustFail of scenario.mustFail) {
        const [host, check] = mustFail.split(':') as [string, string];
        const classname = `local.${host === 'lab' ? 'lab' : host}`;
        expect(run.junit).toMatch(
          new RegExp(
            `<testcase classname="${classname.replace('.', '\\.')}" name="${check.replace('.', '\\.')}"[^>]*>\\s*<failure `,
          ),
        );
      }
      expect(run.results.hosts.map((h) => h.connection.ok)).toEqual([true, true]);
      expect(run.results.hosts[0]!.commands.length).toBeGreaterThan(10);

      // The lab's chronyd has just started: a compute that can sync is read once it has, one that cannot is not
      // kept waiting for chronySyncWaitSeconds (at most the seconds chronyd's first answer takes).
      const { said } = computeWait(run.reports);
      if (scenario.mustFail.includes('compute1:chrony.source')) {
        expect(said.stop, JSON.stringify(said)).not.toMatch(/^(selected|timeout)$/);
        expect(Number(said.waited), JSON.stringify(said)).toBeLessThanOrEqual(CHRONYD_FIRST_ANSWER_SECONDS);
      } else {
        expect(said, JSON.stringify(said)).toMatchObject({ stop: 'selected' });
      }
    });
  }

  it('a compute whose chronyd was just restarted is waited for until it selects the controller', async () => {
    const up = await labUp({ scenario: 'compliant', keep: true });
    const restart = await sshRun({ address: '10.0.0.101', port: 22 }, 'systemctl restart chronyd', 10);
    expect(restart.ok, restart.stderr).toBe(true);
    const run = runNpmTest({ LABSPEC_INVENTORY: up.inventoryPath }, labExecPrefix(), ['-t', 'chrony']);

    expect(run.exitCode, run.output).toBe(0);
    const { said } = computeWait(run.reports);
    expect(said, JSON.stringify(said)).toMatchObject({ ActiveState: 'active', stop: 'selected' });
    const source = run.results.results.find((r) => r.host === 'compute1' && r.check === 'chrony.source')!;
    expect(source.message).toMatch(/^(a source was selected at once|waited \d+s until a source was selected)$/);
  });

  it('grades a class: three student labs in one run, reported lab by lab', async () => {
    const up = await labUp({ scenario: 'compliant', keep: true });
    const single = parse(readFileSync(up.inventoryPath, 'utf8'));
    const classInventory = join(up.stateDir, 'class.yaml');
    writeFileSync(
      classInventory,
      stringify({
        defaults: single.defaults,
        labs: ['student1', 'student2', 'student3'].map((name) => ({
          name,
          lab: { ...single.lab, name },
          hosts: single.hosts,
        })),
      }),
    );
    const run = runNpmTest({ LABSPEC_INVENTORY: classInventory }, labExecPrefix());

    expect(run.exitCode, run.output).toBe(0);
    expect(run.junitValid.ok, run.junitValid.message).toBe(true);
    expect(run.results.summary).toMatchObject({ fail: 0, error: 0 });
    expect(run.results.results).toHaveLength(3 * (2 * CHECKS_PER_HOST + 2));
    for (const lab of ['student1', 'student2', 'student3']) {
      expect(run.junit).toContain(`<testsuite name="${lab}.controller"`);
      expect(run.junit).toContain(`classname="${lab}.compute1" name="chrony.source"`);
      expect(existsSync(join(run.reports, 'facts', `${lab}.compute1.json`))).toBe(true);
    }
    expect(run.output).toContain('student3/compute1');
  });
});
