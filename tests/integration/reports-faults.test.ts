import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv } from '../helpers/labspec-cli.ts';
import { REPO } from '../helpers/run-npm-test.ts';

const isRoot = process.getuid?.() === 0;

/**
 * Reports on a full disk and a read-only filesystem: a tmpfs mounted in a private mount namespace
 * (never over the machine's own files), with labspec run inside it.
 */
describe.skipIf(!isRoot)('reports that cannot be written (private tmpfs, needs root)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(process.env.LABSPEC_TEST_SCRATCH ?? tmpdir(), 'reports-faults-'));
    mkdirSync(join(dir, 'mnt'));
    writeFileSync(
      join(dir, 'image.yaml'),
      'defaults: { transport: local }\nhosts:\n  - { name: builder, address: 127.0.0.1, labAddress: 10.0.0.100, role: controller }\n',
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs a shell script in a new mount namespace with a tmpfs of `sizeKiB` on `$MNT`; `$LABSPEC` runs labspec. */
  const inNamespace = (sizeKiB: number, script: string) => {
    const run = spawnSync(
      'unshare',
      ['-m', 'sh', '-c', `mount -t tmpfs -o size=${sizeKiB}k tmpfs "$MNT" && ${script}`],
      {
        cwd: dir,
        env: cleanEnv({ MNT: join(dir, 'mnt'), LABSPEC: `${process.execPath} ${join(REPO, 'bin/labspec.ts')}` }),
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    return { code: run.status, out: run.stdout, err: run.stderr };
  };

  it('a full disk during the write: exit 4 with the path and errno, no partial file, the previous run intact', () => {
    const run = inNamespace(
      400,
      [
        '$LABSPEC run --inventory image.yaml --reports "$MNT/reports" -q >/dev/null',
        'cp "$MNT/reports/results.json" "$MNT/before.json"',
        // Leave a few KiB: enough for the writability check, not for a run's reports.
        'head -c $(( $(df -k --output=avail "$MNT" | tail -1) * 1024 - 4096 )) /dev/zero > "$MNT/filler" 2>/dev/null',
        '$LABSPEC run --inventory image.yaml --reports "$MNT/reports" -q; echo "exit=$?"',
        'cmp "$MNT/before.json" "$MNT/reports/results.json" && echo top-level-unchanged',
        'ls -a "$MNT/reports/runs" | grep -c "^\\." | sed "s/^/hidden=/"',
        'ls "$MNT/reports/runs" | wc -l | sed "s/^/runs=/"',
      ].join('; '),
    );
    expect(run.out, run.err).toContain('exit=4');
    expect(run.err).toMatch(/labspec: .*\/reports\/runs\/\.[^ ]*partial[^ ]*: cannot write the reports \(ENOSPC\)\n/);
    expect(run.out).toContain('top-level-unchanged');
    // Only `.` and `..`: no partial run folder or temp file is left behind.
    expect(run.out).toContain('hidden=2');
    expect(run.out).toContain('runs=1');
  });

  it('a read-only filesystem: exit 2 before any host is contacted, one line with the path and errno', () => {
    const run = inNamespace(
      200,
      [
        'mkdir "$MNT/reports"',
        'mount -o remount,ro "$MNT"',
        '$LABSPEC run --inventory image.yaml --reports "$MNT/reports" -q; echo "exit=$?"',
      ].join('; '),
    );
    expect(run.out).toContain('exit=2');
    expect(run.err).toMatch(/^labspec: .*\/reports\/runs[^\n]*: cannot write the reports \(EROFS\)\n$/);
  });
});
