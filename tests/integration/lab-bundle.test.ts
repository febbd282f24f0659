import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labDown, labExecPrefix, labUp } from '../../lab/index.ts';
import { sshArgv } from '../../lab/ssh.ts';
import { resultsDocument } from '../../outputs/report.ts';
import { reportDifferences } from '../helpers/compare-results.ts';
import { cleanEnv, labspec } from '../helpers/labspec-cli.ts';
import { REPO } from '../helpers/run-npm-test.ts';

const isRoot = process.getuid?.() === 0;

/**
 * The offline path inside the local lab's hosts: each host's bundle run there by plain sh (the
 * controller's over SSH, `ssh root@controller sh -s < bundle.sh`; compute1's by bash from a file in
 * the host, entering its namespaces, as a build tool runs an uploaded script), the captures graded,
 * and the report compared with a live `labspec run` of the same lab.
 */
describe.skipIf(!isRoot)('bundles run inside the local lab, graded, against a live run (needs root)', () => {
  const scratch = mkdtempSync(join(process.env.LABSPEC_TEST_SCRATCH ?? tmpdir(), 'lab-bundle-'));
  afterAll(async () => {
    await labDown();
    rmSync(scratch, { recursive: true, force: true });
  });

  const results = (reports: string) =>
    resultsDocument.parse(JSON.parse(readFileSync(join(reports, 'results.json'), 'utf8')));

  it.each(['drift', 'hostile-output'])(
    'scenario %s: every verdict, message and host record the same',
    async (scenario) => {
      const up = await labUp({ scenario });
      const dir = join(scratch, scenario);
      const bundle = (name: string) => {
        const made = labspec(['bundle', '--inventory', up.inventoryPath, '--name', name]);
        expect(made.code, made.stderr).toBe(0);
        return made.stdout;
      };

      const controllerHost = up.hosts.find((h) => h.name === 'controller')!;
      const [ssh, ...sshArgs] = sshArgv(controllerHost, 'sh -s', 5);
      const controller = spawnSync(ssh!, sshArgs, { input: bundle('controller'), timeout: 120_000 });
      expect(controller.status, controller.stderr.toString()).toBe(0);

      const compute1 = up.hosts.find((h) => h.name === 'compute1')!;
      // Uploaded through /proc/PID/root: the host's own view of its filesystem.
      writeFileSync(`/proc/${compute1.pid}/root/var/tmp/labspec-bundle.sh`, bundle('compute1'));
      const inHost = ['nsenter', '-t', String(compute1.pid), '-m', '-u', '-i', '-n', '-p', '-r', '-w'];
      const clean = ['env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root'];
      const compute = spawnSync(inHost[0]!, [...inHost.slice(1), ...clean, 'bash', '/var/tmp/labspec-bundle.sh'], {
        timeout: 120_000,
      });
      expect(compute.status, compute.stderr.toString()).toBe(0);

      mkdirSync(dir);
      const captures = [join(dir, 'controller.txt'), join(dir, 'compute1.txt')];
      writeFileSync(captures[0]!, controller.stdout);
      writeFileSync(captures[1]!, compute.stdout);

      const graded = join(dir, 'graded');
      const grade = labspec(['grade', ...captures, '--inventory', up.inventoryPath, '--reports', graded, '-q']);

      const liveReports = join(dir, 'live');
      const [program, ...args] = [
        ...labExecPrefix(),
        process.execPath,
        join(REPO, 'bin/labspec.ts'),
        'run',
        '--inventory',
        up.inventoryPath,
        '--reports',
        liveReports,
        '-q',
      ];
      const live = spawnSync(program!, args, { env: cleanEnv(), encoding: 'utf8', timeout: 120_000 });

      expect(reportDifferences(results(liveReports), results(graded))).toEqual([]);
      expect(grade.code).toBe(live.status);
      expect(grade.code).toBe(scenario === 'drift' ? 1 : 0);
      expect(results(graded).hosts.map((h) => h.transport)).toEqual(captures.map((c) => `capture ${c}`));
      if (scenario === 'hostile-output') {
        // root's .bashrc greets the SSH session with junk: kept before the capture's header, never parsed.
        const snapshot = JSON.parse(readFileSync(join(graded, 'facts', 'controller.json'), 'utf8'));
        expect(snapshot.preamble.stdout).toContain('LABSPEC_00000000000000000000000000000000 end etcHosts.hosts 0');
      }
    },
  );
});
