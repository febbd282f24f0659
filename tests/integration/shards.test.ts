import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostSnapshot } from '../../facts/snapshot.ts';
import { resultsDocument, type RunReport } from '../../outputs/report.ts';
import { labspec, type CliRun } from '../helpers/labspec-cli.ts';
import { REPO, runNpmTest } from '../helpers/run-npm-test.ts';
import { freePort, startSshd, type TestSshd } from '../helpers/sshd.ts';

const isRoot = process.getuid?.() === 0;
const XSD = join(REPO, 'tests/fixtures/junit/jenkins-junit.xsd');

const results = (dir: string): RunReport =>
  resultsDocument.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));

function junitValid(dir: string): { ok: boolean; message: string } {
  const lint = spawnSync('xmllint', ['--noout', '--schema', XSD, join(dir, 'junit.xml')], { encoding: 'utf8' });
  return { ok: lint.status === 0, message: lint.stderr.trim() };
}

/** JUnit as CI reads it, without what differs from run to run: times, timestamps and the run's id. */
function junitModuloTimes(dir: string): string {
  return readFileSync(join(dir, 'junit.xml'), 'utf8')
    .replace(/ (time|timestamp)="[^"]*"/g, ' $1="…"')
    .replace(/<property name="run" value="[^"]*"\/>/g, '<property name="run" value="…"/>');
}

/** results.json without times and ids. */
function resultsModuloTimes(dir: string) {
  const { run, summary, hosts, results: entries } = results(dir);
  return {
    run: { kind: run.kind, filter: run.filter, shard: run.shard },
    summary,
    hosts: hosts.map(({ startedAt: _s, durationMs: _d, ...host }) => host),
    results: entries.map(({ durationMs: _d, ...entry }) => entry),
  };
}

const oneLine = (run: CliRun) => {
  expect(run.stderr.trim().split('\n'), run.stderr).toHaveLength(1);
  return run.stderr.trim();
};

/**
 * A class of five labs of different sizes on one real sshd on loopback (every host is this
 * machine), one compute unreachable: read whole, and as 3 shards merged. The merge must be the
 * unsharded run: the same verdicts, cross-host checks included, the same JUnit modulo times, the
 * same exit code.
 */
describe.skipIf(!isRoot)('labspec run --shard K/N and labspec merge (real sshd, needs root)', () => {
  let sshd: TestSshd;
  let dir: string;
  let classInventory: string;
  let triadInventory: string;
  let whole: CliRun;
  const shard: CliRun[] = [];
  let merged: CliRun;
  const run = (args: string[]) => labspec(args, { cwd: dir, env: { HOME: dir } });

  beforeAll(async () => {
    sshd = await startSshd();
    dir = sshd.dir;
    const refused = await freePort();
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${sshd.hostKeys.ed25519}\n`);
    const host = (name: string, labAddress: string, port = sshd.port) =>
      `      - { name: ${name}, address: 127.0.0.1, port: ${port}, labAddress: ${labAddress}, role: ${name === 'controller' ? 'controller' : 'compute'} }`;
    const lab = (name: string, hosts: string[]) =>
      [`  - name: ${name}`, '    lab: { chronySyncWaitSeconds: 0, minCpus: 1 }', '    hosts:', ...hosts].join('\n');
    const defaults = `defaults: { user: root, identityFile: ${sshd.clientKey}, knownHostsFile: ${knownHosts}, connectTimeoutSeconds: 30 }`;
    classInventory = join(dir, 'class.yaml');
    writeFileSync(
      classInventory,
      [
        defaults,
        'labs:',
        lab('student1', [
          host('controller', '10.0.0.100'),
          host('compute1', '10.0.0.101'),
          host('compute2', '10.0.0.102'),
        ]),
        lab('student2', [host('controller', '10.0.0.100'), host('compute1', '10.0.0.101')]),
        lab('student3', [host('controller', '10.0.0.100'), host('compute1', '10.0.0.101')]),
        lab('student4', [host('controller', '10.0.0.100')]),
        lab('student5', [host('controller', '10.0.0.100'), host('compute1', '10.0.0.101', refused)]),
        '',
      ].join('\n'),
    );
    // Three labs of one host each, the second unreachable: with -t cpu.count nothing fails, one host errors.
    triadInventory = join(dir, 'triad.yaml');
    writeFileSync(
      triadInventory,
      [
        defaults,
        'labs:',
        lab('p', [host('controller', '10.0.0.100')]),
        lab('q', [host('controller', '10.0.0.100', refused)]),
        lab('r', [host('controller', '10.0.0.100')]),
        '',
      ].join('\n'),
    );
    whole = run(['run', '--inventory', classInventory, '--reports', 'whole', '-q']);
    for (const k of [1, 2, 3])
      shard.push(run(['run', '--inventory', classInventory, '--reports', `s${k}`, '--shard', `${k}/3`, '-q']));
    merged = run(['merge', 's1', 's2', 's3', '--reports', 'merged']);
  }, 300_000);

  afterAll(async () => {
    await sshd?.stop();
  });

  it('each shard reads only its whole labs and writes complete, valid reports', () => {
    expect(shard.map((s) => s.code)).toEqual([1, 1, 1]);
    // student1 (3 hosts) → 1; student2 → 2; student3 → 3; student5 → 2 (tied with 3: the lower); student4 → 3.
    const labsOf = (k: number) => [...new Set(results(join(dir, `s${k}`)).hosts.map((h) => h.lab))];
    expect([1, 2, 3].map(labsOf)).toEqual([['student1'], ['student2', 'student5'], ['student3', 'student4']]);
    for (const k of [1, 2, 3]) {
      const reports = join(dir, `s${k}`);
      expect(junitValid(reports).ok, junitValid(reports).message).toBe(true);
      const doc = results(reports);
      expect(doc.run.shard).toMatchObject({ index: k, count: 3, labspec: expect.any(String) });
      // Each lab's cross-host suite is judged in its shard; host names keep the class's `<lab>/` prefix.
      for (const lab of labsOf(k)) expect(doc.results.some((r) => r.lab === lab && r.host === null)).toBe(true);
      expect(readdirSync(join(reports, 'facts')).every((f) => f.startsWith('student'))).toBe(true);
      expect(shard[k - 1]!.stdout).toContain(`shard ${k}/3: ${labsOf(k).join(', ')}`);
    }
    expect(shard[2]!.stdout).toMatch(/student4\/controller /);
  });

  it('the merge equals the unsharded run: same verdicts, hosts, counts and exit code', () => {
    expect(whole.code, whole.stderr).toBe(1);
    expect(merged.code, merged.stderr).toBe(whole.code);
    const mergedDoc = resultsModuloTimes(join(dir, 'merged'));
    expect(mergedDoc).toEqual(resultsModuloTimes(join(dir, 'whole')));
    expect(mergedDoc.run.shard).toBeNull();
    // Cross-host checks come out as in the unsharded run, and so does the unreachable host.
    expect(mergedDoc.results.filter((r) => r.host === null)).toHaveLength(10);
    expect(mergedDoc.hosts.find((h) => h.lab === 'student5' && h.host === 'compute1')!.connection).toMatchObject({
      ok: false,
      failure: 'unreachable',
    });
    const summed = { pass: 0, fail: 0, error: 0, skip: 0 };
    for (const k of [1, 2, 3])
      for (const [status, n] of Object.entries(results(join(dir, `s${k}`)).summary)) summed[status as 'pass'] += n;
    expect(mergedDoc.summary).toEqual(summed);
  });

  it('the merged JUnit is the unsharded JUnit modulo times, and valid against the Jenkins schema', () => {
    expect(junitValid(join(dir, 'merged')).ok, junitValid(join(dir, 'merged')).message).toBe(true);
    expect(junitModuloTimes(join(dir, 'merged'))).toBe(junitModuloTimes(join(dir, 'whole')));
  });

  it("the merged report set carries every shard's snapshots, named as in the unsharded run", () => {
    const mergedFacts = join(dir, 'merged', 'facts');
    expect(readdirSync(mergedFacts).sort()).toEqual(readdirSync(join(dir, 'whole', 'facts')).sort());
    for (const k of [1, 2, 3]) {
      const facts = join(dir, `s${k}`, 'facts');
      for (const file of readdirSync(facts)) {
        const read = (path: string) => hostSnapshot.parse(JSON.parse(readFileSync(path, 'utf8')));
        expect(read(join(mergedFacts, file)), file).toEqual(read(join(facts, file)));
      }
    }
    const doc = results(join(dir, 'merged'));
    const shardIds = [1, 2, 3].map((k) => results(join(dir, `s${k}`)).run.id);
    expect(doc.run.gatheredBy).toBe(shardIds.join(','));
    expect(readlinkSync(join(dir, 'merged', 'latest'))).toBe(`runs/${doc.run.id}`);
    expect(merged.stdout).toContain('✗ student1/controller › os.release');
  });

  it('merges run folders as well as reports folders, to the same report', () => {
    const runFolder = (k: number) => join(`s${k}`, readlinkSync(join(dir, `s${k}`, 'latest')));
    const again = run(['merge', runFolder(1), runFolder(2), runFolder(3), '--reports', 'merged-runs', '-q']);
    expect(again.code, again.stderr).toBe(1);
    expect(resultsModuloTimes(join(dir, 'merged-runs'))).toEqual(resultsModuloTimes(join(dir, 'merged')));
  });

  it('an unreachable host gives exit 3 merged as unsharded, and a shard the filter leaves empty exits 0', () => {
    const filter = ['-t', 'cpu\\.count'];
    const unsharded = run(['run', '--inventory', triadInventory, '--reports', 'triad', ...filter, '-q']);
    expect(unsharded.code, unsharded.stderr).toBe(3);
    const shards = [1, 2, 3].map((k) =>
      run(['run', '--inventory', triadInventory, '--reports', `t${k}`, '--shard', `${k}/3`, ...filter, '-q']),
    );
    expect(shards.map((s) => s.code)).toEqual([0, 3, 0]);
    const merge = run(['merge', 't1', 't2', 't3', '--reports', 'triad-merged', '-q']);
    expect(merge.code, merge.stderr).toBe(3);
    expect(resultsModuloTimes(join(dir, 'triad-merged'))).toEqual(resultsModuloTimes(join(dir, 'triad')));
    expect(junitModuloTimes(join(dir, 'triad-merged'))).toBe(junitModuloTimes(join(dir, 'triad')));

    // The filter names lab r only: shard 1 (lab p) has hosts but no selected check, which is not an error.
    const onlyR = run([
      'run',
      '--inventory',
      triadInventory,
      '--reports',
      'only-r',
      '--shard',
      '1/3',
      '-t',
      '^.* > r/',
      '-q',
    ]);
    expect(onlyR.code, onlyR.stderr).toBe(0);
    expect(results(join(dir, 'only-r'))).toMatchObject({
      summary: { pass: 0, fail: 0, error: 0, skip: 0 },
      results: [],
    });
    expect(results(join(dir, 'only-r')).hosts.map((h) => h.lab)).toEqual(['p']);
    expect(junitValid(join(dir, 'only-r')).ok).toBe(true);
  });

  it('npm test reads its shard from LABSPEC_SHARD, to the verdicts of labspec run --shard', () => {
    const npm = runNpmTest(
      { LABSPEC_INVENTORY: triadInventory, LABSPEC_SHARD: '2/3', HOME: dir },
      [],
      ['-t', 'cpu\\.count'],
    );
    expect(npm.exitCode, npm.output).toBe(3);
    const verdicts = (doc: RunReport) => doc.results.map((r) => `${r.lab}/${r.host}:${r.check}:${r.status}`);
    expect(verdicts(npm.results)).toEqual(verdicts(results(join(dir, 't2'))));
    expect(npm.results.run.shard).toEqual(results(join(dir, 't2')).run.shard);
  });

  describe('a merge that cannot stand for the unsharded run is exit 2, and OUT shows no report', () => {
    const refuse = (args: string[], reason: RegExp) => {
      const out = `refused-${Math.random().toString(16).slice(2, 8)}`;
      const attempt = run(['merge', ...args, '--reports', out]);
      expect(attempt.code, attempt.stderr).toBe(2);
      expect(oneLine(attempt)).toMatch(reason);
      expect(existsSync(join(dir, out, 'results.json'))).toBe(false);
      expect(existsSync(join(dir, out, 'junit.xml'))).toBe(false);
    };
    /** A copy of shard K's reports, changed by `edit`. */
    const alteredCopy = (k: number, name: string, edit: (copy: string) => void) => {
      const copy = join(dir, name);
      cpSync(join(dir, `s${k}`), copy, { recursive: true, verbatimSymlinks: true });
      edit(copy);
      return name;
    };

    it('overlapping shards: one given twice', () => {
      refuse(['s1', 's2', 's2', 's3'], /^labspec: shard 2\/3 given twice: .*s2 and .*s2$/);
    });

    it('a shard missing', () => {
      refuse(['s1', 's3'], /^labspec: shard 2\/3 missing: merge needs the reports of every shard$/);
    });

    it('shards of another inventory, or of another split', () => {
      refuse(['s1', 't2', 's3'], /t2: sharded from another inventory than .*s1/);
      const half = run(['run', '--inventory', classInventory, '--reports', 'half', '--shard', '2/2', '-q']);
      expect(half.code).toBe(1);
      refuse(['s1', 'half', 's3'], /half: shard 2\/2, but .*s1 is shard 1\/3/);
    });

    it('shards of another labspec version', () => {
      const old = alteredCopy(2, 'old-version', (copy) => {
        const doc = JSON.parse(readFileSync(join(copy, 'results.json'), 'utf8'));
        doc.run.shard.labspec = '0.0.1';
        writeFileSync(join(copy, 'results.json'), JSON.stringify(doc));
      });
      refuse(['s1', old, 's3'], /old-version: shard 2\/3 was run by labspec 0\.0\.1, this is \d+\.\d+\.\d+/);
    });

    it('shards run with other checks chosen (--profile, --only, --skip)', () => {
      const other = alteredCopy(2, 'other-checks', (copy) => {
        const doc = JSON.parse(readFileSync(join(copy, 'results.json'), 'utf8'));
        doc.run.checks.profile = 'image';
        writeFileSync(join(copy, 'results.json'), JSON.stringify(doc));
      });
      refuse(
        ['s1', other, 's3'],
        /other-checks: run with checks .*: give every shard the same --profile, --only and --skip$/,
      );
    });

    it("a snapshot missing or not the host's", () => {
      const missing = alteredCopy(3, 'missing-snapshot', (copy) =>
        rmSync(join(copy, readlinkSync(join(copy, 'latest')), 'facts', 'student4.controller.json')),
      );
      refuse(['s1', 's2', missing], /student4\.controller\.json: not readable \(ENOENT\)/);
      const swapped = alteredCopy(3, 'swapped-snapshot', (copy) => {
        const facts = join(copy, readlinkSync(join(copy, 'latest')), 'facts');
        cpSync(join(facts, 'student3.controller.json'), join(facts, 'student4.controller.json'));
      });
      refuse(
        ['s1', 's2', swapped],
        /student4\.controller\.json: holds student3\/controller .* expects student4\/controller/,
      );
    });

    it('reports that are not a shard, none at all, or OUT among the shards', () => {
      refuse(
        ['whole'],
        /whole\/results\.json: not the reports of a shard; run each shard with labspec run --shard K\/N$/,
      );
      refuse(['s1', 'nowhere', 's3'], /nowhere: no results\.json/);
      refuse([], /merge takes the reports folder of every shard/);
      const into = run(['merge', 's1', 's2', 's3', '--reports', 's2']);
      expect(into.code).toBe(2);
      expect(oneLine(into)).toMatch(/--reports .*s2 is one of the shards/);
      expect(results(join(dir, 's2')).run.shard).toMatchObject({ index: 2 });
    });
  });
});

/** No host is contacted in these: the shard is empty, or the setting is refused first. */
describe('--shard without hosts to read', () => {
  const scratch = mkdtempSync(join(process.env.LABSPEC_TEST_SCRATCH ?? tmpdir(), 'shards-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  // Nothing listens on port 1: any connection would fail, and the empty shards must not try.
  const inventory = join(scratch, 'class.yaml');
  writeFileSync(
    inventory,
    `defaults: { port: 1, connectTimeoutSeconds: 1 }
labs:
  - { name: one, hosts: [{ name: controller, address: 127.0.0.1, labAddress: 10.0.0.100, role: controller }] }
  - { name: two, hosts: [{ name: controller, address: 127.0.0.1, labAddress: 10.0.0.100, role: controller }] }
`,
  );
  const single = join(scratch, 'lab.yaml');
  writeFileSync(
    single,
    `defaults: { port: 1 }\nhosts: [{ name: controller, address: 127.0.0.1, labAddress: 10.0.0.100, role: controller }]\n`,
  );
  const run = (args: string[], env: Record<string, string> = {}) => labspec(args, { cwd: scratch, env });

  it('an empty shard is exit 0 with empty but complete reports: valid JUnit, results.json, no snapshot', () => {
    for (const [file, shard] of [
      [inventory, '3/3'],
      [single, '2/2'],
    ] as const) {
      const reports = `empty-${shard.replace('/', '-')}`;
      const empty = run(['run', '--inventory', file, '--reports', reports, '--shard', shard]);
      expect(empty.code, empty.stderr).toBe(0);
      expect(empty.stdout).toContain(`shard ${shard}: no lab of the inventory falls to this shard; nothing to read`);
      expect(junitValid(join(scratch, reports)).ok, junitValid(join(scratch, reports)).message).toBe(true);
      expect(readFileSync(join(scratch, reports, 'junit.xml'), 'utf8')).toMatch(/<testsuites [^>]*tests="0"/);
      const doc = results(join(scratch, reports));
      expect(doc).toMatchObject({ summary: { pass: 0, fail: 0, error: 0, skip: 0 }, hosts: [], results: [] });
      expect(doc.run.shard).toMatchObject({ index: Number(shard[0]), count: Number(shard[2]) });
      expect(readdirSync(join(scratch, reports, 'facts'))).toEqual([]);
    }
  });

  it('npm test with LABSPEC_SHARD on an empty shard: exit 0, the same empty reports', () => {
    const npm = runNpmTest({ LABSPEC_INVENTORY: inventory, LABSPEC_SHARD: '3/3' });
    expect(npm.exitCode, npm.output).toBe(0);
    expect(npm.junitValid.ok, npm.junitValid.message).toBe(true);
    expect(npm.results).toMatchObject({ results: [], hosts: [], run: { shard: { index: 3, count: 3 } } });
    expect(npm.output).toContain('shard 3/3: no lab of the inventory falls to this shard');
  });

  it('a bad K/N is a usage error: exit 2, one line, nothing contacted, no top-level report', () => {
    for (const shard of ['4/3', 'a/b']) {
      const bad = run(['run', '--inventory', inventory, '--reports', 'bad', '--shard', shard]);
      expect(bad.code, shard).toBe(2);
      expect(bad.stderr.split('\n')[0]).toBe(
        `labspec: --shard: expected K/N, shard K of N with 1 ≤ K ≤ N (e.g. 2/3), got ${JSON.stringify(shard)}`,
      );
      expect(existsSync(join(scratch, 'bad', 'results.json'))).toBe(false);
    }
    const fromEnv = run(['run', '--inventory', inventory, '--reports', 'bad'], { LABSPEC_SHARD: '5/4' });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr.split('\n')[0]).toMatch(/^labspec: LABSPEC_SHARD: expected K\/N/);
    const npm = runNpmTest({ LABSPEC_INVENTORY: inventory, LABSPEC_SHARD: '0/1' }, [], [], { expectReports: false });
    expect(npm.exitCode, npm.output).toBe(2);
    expect(npm.output).toContain('labspec: LABSPEC_SHARD: expected K/N');
  });

  it('a filter that selects no check in the whole inventory is still exit 2, in every shard and in npm test', () => {
    const none = run(['run', '--inventory', inventory, '--reports', 'none', '--shard', '3/3', '-t', 'no-such-check']);
    expect(none.code).toBe(2);
    expect(oneLine(none)).toBe('labspec: --filter "no-such-check" selects no check; nothing was contacted');
    const npm = runNpmTest({ LABSPEC_INVENTORY: inventory, LABSPEC_SHARD: '3/3' }, [], ['-t', 'no-such-check'], {
      expectReports: false,
    });
    expect(npm.exitCode, npm.output).toBe(2);
  });

  it("vitest's own --shard splits spec files, not hosts: npm test refuses it and names LABSPEC_SHARD", () => {
    const npm = runNpmTest({ LABSPEC_INVENTORY: inventory }, [], ['--shard=1/2'], { expectReports: false });
    expect(npm.exitCode, npm.output).toBe(2);
    expect(npm.output).toContain(
      "labspec: vitest's --shard splits the spec files, not the hosts: use LABSPEC_SHARD=K/N",
    );
  });

  it('replay judges every snapshot it is given: LABSPEC_SHARD is refused there, --shard unknown', () => {
    const replay = run(['replay', 'nowhere'], { LABSPEC_SHARD: '1/2' });
    expect(replay.code).toBe(2);
    expect(oneLine(replay)).toBe(
      'labspec: --shard (LABSPEC_SHARD) is for live runs: replay judges every snapshot given',
    );
    const flag = run(['replay', 'nowhere', '--shard', '1/2']);
    expect(flag.code).toBe(2);
    expect(flag.stderr.split('\n')[0]).toMatch(/^labspec: Unknown option '--shard'/);
  });
});
