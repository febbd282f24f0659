/**
 * The image profile on real CentOS-like hosts: the local lab's compute1 and controller, each named alone on the
 * command line as an image pipeline names the one VM it built, with its host key accepted into a throwaway
 * known_hosts. Needs root and the lab: run under flock /tmp/labspec-lab.lock.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { labDown, labExecPrefix, labUp } from '../../lab/index.ts';
import { resultsDocument, type RunReport } from '../../outputs/report.ts';
import { labspec } from '../helpers/labspec-cli.ts';

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('--profile image on single lab hosts named with --target (local lab, needs root)', () => {
  let identity: string;
  let work: string;
  let counter = 0;

  beforeAll(async () => {
    const up = await labUp({ scenario: 'compliant' });
    identity = (parse(readFileSync(up.inventoryPath, 'utf8')) as { defaults: { identityFile: string } }).defaults
      .identityFile;
    work = mkdtempSync(join(process.env.LABSPEC_TEST_SCRATCH ?? tmpdir(), 'lab-image-'));
  });

  afterAll(async () => {
    await labDown();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** One host alone, as its image's pipeline sees it: a fresh known_hosts every run, the key accepted into it. */
  function alone(address: string, role: string, name: string, ...more: string[]) {
    const dir = join(work, `run-${++counter}`);
    const knownHosts = join(dir, 'known_hosts');
    const run = labspec(
      [
        'run',
        '--reports',
        join(dir, 'reports'),
        '--identity',
        identity,
        '--known-hosts',
        knownHosts,
        '--accept-new-host-key',
        '--target',
        `ssh://root@${address}`,
        '--role',
        role,
        '--name',
        name,
        ...more,
      ],
      { cwd: work, env: { HOME: work, SSH_AUTH_SOCK: '' }, prefix: labExecPrefix() },
    );
    const path = join(dir, 'reports', 'results.json');
    const report: RunReport | null = existsSync(path)
      ? resultsDocument.parse(JSON.parse(readFileSync(path, 'utf8')))
      : null;
    return { ...run, report, knownHosts };
  }

  it('a compute-only image passes under the image profile; without it, the missing controller is an error', () => {
    const image = alone('10.0.0.101', 'compute', 'compute1', '--profile', 'image');
    expect(image.code, image.stdout + image.stderr).toBe(0);
    const report = image.report!;
    expect(report.summary).toMatchObject({ fail: 0, error: 0 });
    expect(report.hosts[0]!.connection).toEqual({ ok: true });
    expect(readFileSync(image.knownHosts, 'utf8')).toMatch(/^10\.0\.0\.101 ssh-ed25519 \S+\n$/);
    expect(
      report.results.filter((r) => r.source === 'profile image').map((r) => `${r.host ?? 'lab'}:${r.check}`),
    ).toEqual([
      'compute1:host.hostname',
      'compute1:host.address',
      'compute1:chrony.source',
      'lab:topology.hosts',
      'lab:topology.ntp',
    ]);
    expect(report.results.filter((r) => r.status === 'pass').length).toBeGreaterThan(10);

    const full = alone('10.0.0.101', 'compute', 'compute1');
    expect(full.code).toBe(3);
    expect(full.report!.results.filter((r) => r.status === 'error').map((r) => r.check)).toEqual([
      'chrony.source',
      'topology.ntp',
    ]);
  });

  it('an image built with its final hostname (--hostname): host.hostname is judged, and fails for another name', () => {
    const own = alone('10.0.0.101', 'compute', 'compute1', '--hostname', 'compute1', '--profile', 'image');
    expect(own.code, own.stdout + own.stderr).toBe(0);
    expect(own.report!.results.find((r) => r.check === 'host.hostname')).toMatchObject({
      status: 'pass',
      expected: 'compute1',
    });
    expect(own.report!.results.filter((r) => r.source === 'profile image').map((r) => r.check)).toEqual([
      'host.address',
      'chrony.source',
      'topology.hosts',
      'topology.ntp',
    ]);
    // A controller image expected to carry another hostname than the one it was built with.
    const other = alone('10.0.0.100', 'controller', 'controller', '--hostname', 'ctl1', '--profile', 'image');
    expect(other.code).toBe(1);
    expect(other.report!.results.filter((r) => r.status === 'fail').map((r) => r.check)).toEqual(['host.hostname']);
    expect(other.report!.results.find((r) => r.check === 'host.hostname')).toMatchObject({
      expected: 'ctl1',
      message: 'the running hostname is controller',
      fix: 'hostnamectl set-hostname ctl1',
    });
  });

  it('a controller-only image passes under the image profile too', () => {
    const image = alone('10.0.0.100', 'controller', 'controller', '--profile', 'image');
    expect(image.code, image.stdout + image.stderr).toBe(0);
    expect(image.report!.summary).toMatchObject({ fail: 0, error: 0 });
    expect(image.report!.results.find((r) => r.check === 'chrony.allow')?.status).toBe('pass');
  });
});
