import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  hostSnapshot,
  locateSnapshots,
  readSnapshots,
  snapshotFiles,
  SnapshotError,
  type HostSnapshot,
} from '../../../facts/snapshot.ts';
import type { LabSettings } from '../../../inventory/schema.ts';
import { ReportsFolder } from '../../../outputs/report-set.ts';
import { gatheredHost } from '../checks/support.ts';

const scratch = mkdtempSync(join(tmpdir(), 'labspec-snapshot-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
const fresh = () => join(scratch, `d-${counter++}`);

const SETTINGS: LabSettings = {
  name: 'default',
  subnet: '10.0.0.0/24',
  ntpUpstream: '2.kr.pool.ntp.org',
  minCpus: 2,
  minRootDiskGiB: 60,
  release: { name: 'CentOS Linux', major: 7 },
  chronySyncWaitSeconds: 10,
};

/** A snapshot as a live run saves it (the parsed facts are for people; replay parses the outputs again). */
function snapshot(lab: string, name: string, role: 'controller' | 'compute', position: number): HostSnapshot {
  const { facts: _facts, ...saved } = gatheredHost(
    { lab, name, address: `10.0.0.${position + 11}`, labAddress: `10.0.0.${position + 11}`, role },
    { ...SETTINGS, name: lab },
    { 'hostname.uname': { stdout: `${name}\n`, stderr: '', exitCode: 0 } },
    { position, runId: '20240101T000000Z-aaaa' },
  );
  return hostSnapshot.parse(saved);
}

// Inventory order puts compute1 after controller, though its file name sorts first.
const ONE_LAB = [snapshot('default', 'controller', 'controller', 0), snapshot('default', 'compute1', 'compute', 1)];

describe('snapshotFiles', () => {
  it('facts/<host>.json for one lab; <lab>.<host>.json when the run has several labs', () => {
    expect(snapshotFiles(ONE_LAB).map((f) => f.name)).toEqual(['facts/controller.json', 'facts/compute1.json']);
    const two = [
      snapshot('student1', 'controller', 'controller', 0),
      snapshot('student2', 'controller', 'controller', 1),
    ];
    expect(snapshotFiles(two).map((f) => f.name)).toEqual([
      'facts/student1.controller.json',
      'facts/student2.controller.json',
    ]);
  });

  it('pretty JSON ending in a newline, which reads back as the same snapshot', () => {
    const content = snapshotFiles(ONE_LAB)[0]!.content();
    expect(content.endsWith('}\n')).toBe(true);
    expect(hostSnapshot.parse(JSON.parse(content))).toEqual(ONE_LAB[0]);
  });
});

describe('readSnapshots: a reports folder, a run folder or a facts folder', () => {
  const root = fresh();
  const runId = '20240101T000000Z-aaaa';
  const runDir = new ReportsFolder(root).publish(runId, [
    { name: 'results.json', content: '{}\n' },
    ...snapshotFiles(ONE_LAB),
  ]);

  it.each([
    ['the reports folder (its latest run)', () => root, () => join(root, 'latest', 'facts')],
    ['a run folder', () => runDir, () => join(runDir, 'facts')],
    ['a facts folder', () => join(runDir, 'facts'), () => join(runDir, 'facts')],
    ['the top-level facts link', () => join(root, 'facts'), () => join(root, 'facts')],
  ])('%s', (_, path, located) => {
    expect(locateSnapshots(path())).toBe(located());
    const read = readSnapshots(path());
    expect(read.map((s) => s.host.name)).toEqual(['controller', 'compute1']);
    expect(read).toEqual(ONE_LAB);
  });
});

describe('readSnapshots: what cannot be replayed is a SnapshotError naming the path', () => {
  function snapshotError(path: string): SnapshotError {
    try {
      readSnapshots(path);
    } catch (error) {
      expect(error).toBeInstanceOf(SnapshotError);
      return error as SnapshotError;
    }
    expect.fail('expected a SnapshotError');
  }

  it('a folder that does not exist', () => {
    const path = join(scratch, 'nowhere');
    expect(snapshotError(path).message).toBe(`${path}: cannot read snapshots (ENOENT)`);
  });

  it('a folder without *.json', () => {
    const path = fresh();
    mkdirSync(path);
    writeFileSync(join(path, 'notes.txt'), 'x');
    expect(snapshotError(path).message).toBe(`${path}: no snapshots (*.json) to replay`);
  });

  it('a file that is not JSON', () => {
    const path = fresh();
    mkdirSync(path);
    writeFileSync(join(path, 'controller.json'), '{"version": 1,');
    expect(snapshotError(path).message).toMatch(new RegExp(`^${join(path, 'controller.json')}: not JSON \\(`));
  });

  it('JSON that is not a labspec snapshot names the first wrong field', () => {
    const path = fresh();
    mkdirSync(path);
    const { position: _position, ...withoutPosition } = ONE_LAB[0]!;
    writeFileSync(join(path, 'controller.json'), JSON.stringify(withoutPosition));
    expect(snapshotError(path).message).toMatch(
      new RegExp(`^${join(path, 'controller.json')}: not a labspec snapshot \\(position: `),
    );
  });
});
