import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { locateSnapshots } from '../../../facts/snapshot.ts';
import { newRunId, ReportsFolder, ReportsUnwritable, type ReportFiles } from '../../../outputs/report-set.ts';

const scratch = mkdtempSync(join(tmpdir(), 'labspec-report-set-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
/** A fresh, not yet existing reports folder path. */
const freshRoot = () => join(scratch, `reports-${counter++}`);

function runFiles(tag: string): ReportFiles {
  return [
    { name: 'junit.xml', content: `<testsuites name="${tag}"/>\n` },
    { name: 'results.json', content: `{"run":"${tag}"}\n` },
    { name: 'facts/controller.json', content: `{"host":"controller","run":"${tag}"}\n` },
    { name: 'facts/compute1.json', content: `{"host":"compute1","run":"${tag}"}\n` },
  ];
}

const read = (path: string) => readFileSync(path, 'utf8');
/** Everything under `dir`, relative, sorted; symlinks are listed, not followed. */
function tree(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => {
      const path = `${prefix}${d.name}`;
      return d.isDirectory() ? [`${path}/`, ...tree(join(dir, d.name), `${path}/`)] : [path];
    })
    .sort();
}

/** The ReportsUnwritable thrown by `run` (fails the test when none is). */
function unwritable(run: () => unknown): ReportsUnwritable {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ReportsUnwritable);
    return error as ReportsUnwritable;
  }
  expect.fail('expected ReportsUnwritable');
}

describe('newRunId', () => {
  it('a UTC timestamp and a random suffix: sortable by time, distinct within the same second', () => {
    const at = new Date('2026-11-30T19:35:12.345Z');
    expect(newRunId(at)).toMatch(/^20261130T193512Z-[0-9a-f]{4}$/);
    const ids = new Set(Array.from({ length: 20 }, () => newRunId(at)));
    expect(ids.size).toBeGreaterThan(1);
    expect(newRunId(new Date('2026-11-30T19:35:13Z')) > newRunId(at)).toBe(true);
  });
});

describe('ReportsFolder.publish', () => {
  const root = freshRoot();
  const folder = new ReportsFolder(root);
  const first = '20240101T000000Z-aaaa';
  const second = '20240101T000100Z-bbbb';
  const firstDir = folder.publish(first, runFiles('first'));
  const secondDir = folder.publish(second, runFiles('second'));

  it('returns each run folder, runs/<id>, holding that run complete', () => {
    expect(firstDir).toBe(join(root, 'runs', first));
    expect(secondDir).toBe(join(root, 'runs', second));
    expect(folder.runDir(first)).toBe(firstDir);
    for (const [dir, tag] of [
      [firstDir, 'first'],
      [secondDir, 'second'],
    ] as const) {
      expect(tree(dir)).toEqual([
        'facts/',
        'facts/compute1.json',
        'facts/controller.json',
        'junit.xml',
        'results.json',
      ]);
      expect(read(join(dir, 'junit.xml'))).toBe(`<testsuites name="${tag}"/>\n`);
      expect(read(join(dir, 'facts', 'controller.json'))).toContain(`"run":"${tag}"`);
    }
  });

  it('the top level shows the latest run: junit.xml and results.json as regular files a CI step publishes', () => {
    for (const name of ['junit.xml', 'results.json']) {
      const stat = lstatSync(join(root, name));
      expect(stat.isFile(), name).toBe(true);
      expect(stat.isSymbolicLink(), name).toBe(false);
    }
    expect(read(join(root, 'junit.xml'))).toBe('<testsuites name="second"/>\n');
    expect(read(join(root, 'results.json'))).toBe('{"run":"second"}\n');
  });

  it('the top-level files are hard links to the run folder’s: no second copy to write, so a full disk cannot stop half of them', () => {
    for (const name of ['junit.xml', 'results.json'])
      expect(lstatSync(join(root, name)).ino, name).toBe(lstatSync(join(secondDir, name)).ino);
    // The first run's files keep their own content.
    expect(read(join(firstDir, 'junit.xml'))).toBe('<testsuites name="first"/>\n');
  });

  it('facts and latest are relative symlinks to the latest run', () => {
    expect(lstatSync(join(root, 'facts')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(root, 'latest')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(root, 'facts'))).toBe(join('runs', second, 'facts'));
    expect(readlinkSync(join(root, 'latest'))).toBe(join('runs', second));
    expect(realpathSync(join(root, 'latest'))).toBe(realpathSync(secondDir));
    expect(read(join(root, 'facts', 'compute1.json'))).toContain('"run":"second"');
    // A replay of the reports folder reads the latest run's snapshots.
    expect(locateSnapshots(root)).toBe(join(root, 'latest', 'facts'));
  });

  it('runs/ keeps both runs; no .partial folder or temporary file is left anywhere', () => {
    expect(readdirSync(join(root, 'runs')).sort()).toEqual([first, second]);
    expect(readdirSync(root).sort()).toEqual(['facts', 'junit.xml', 'latest', 'results.json', 'runs']);
    expect(tree(root).filter((p) => /(^|\/)\.|partial|\.link$|\.tmp$/.test(p))).toEqual([]);
  });

  it('a run without top-level files leaves the previous ones in place but still moves the links', () => {
    const third = '20240101T000200Z-cccc';
    const r = freshRoot();
    const f = new ReportsFolder(r);
    f.publish(first, runFiles('first'));
    f.publish(third, [{ name: 'facts/controller.json', content: '{}\n' }]);
    expect(read(join(r, 'junit.xml'))).toBe('<testsuites name="first"/>\n');
    expect(readlinkSync(join(r, 'latest'))).toBe(join('runs', third));
  });

  it('publishing the same run id twice is refused, and the first copy is kept', () => {
    const r = freshRoot();
    const f = new ReportsFolder(r);
    f.publish(first, runFiles('first'));
    const error = unwritable(() => f.publish(first, runFiles('again')));
    expect(error.message).toContain(join(r, 'runs', first));
    expect(read(join(r, 'runs', first, 'junit.xml'))).toBe('<testsuites name="first"/>\n');
    expect(read(join(r, 'junit.xml'))).toBe('<testsuites name="first"/>\n');
    expect(readdirSync(join(r, 'runs'))).toEqual([first]);
  });
});

describe('ReportsFolder: a folder written by an older labspec', () => {
  it('a real facts/ directory is moved aside into runs/, never deleted; facts becomes the link', () => {
    const root = freshRoot();
    mkdirSync(join(root, 'facts'), { recursive: true });
    writeFileSync(join(root, 'facts', 'controller.json'), 'old snapshot\n');
    writeFileSync(join(root, 'junit.xml'), 'old junit\n');
    const id = '20240101T000000Z-aaaa';
    new ReportsFolder(root).publish(id, runFiles('new'));

    expect(lstatSync(join(root, 'facts')).isSymbolicLink()).toBe(true);
    expect(read(join(root, 'facts', 'controller.json'))).toContain('"run":"new"');
    const kept = readdirSync(join(root, 'runs')).filter((name) => name !== id);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{4}-facts-before-run-folders$/);
    expect(read(join(root, 'runs', kept[0]!, 'controller.json'))).toBe('old snapshot\n');
    expect(read(join(root, 'junit.xml'))).toBe('<testsuites name="new"/>\n');
  });

  it('a real latest/ directory is kept the same way', () => {
    const root = freshRoot();
    mkdirSync(join(root, 'latest'), { recursive: true });
    writeFileSync(join(root, 'latest', 'note.txt'), 'mine\n');
    new ReportsFolder(root).publish('20240101T000000Z-aaaa', runFiles('new'));
    const kept = readdirSync(join(root, 'runs')).filter((name) => name.endsWith('-latest-before-run-folders'));
    expect(kept).toHaveLength(1);
    expect(read(join(root, 'runs', kept[0]!, 'note.txt'))).toBe('mine\n');
    expect(lstatSync(join(root, 'latest')).isSymbolicLink()).toBe(true);
  });
});

describe('ReportsFolder.withdrawTopLevel', () => {
  it('removes junit.xml and results.json so CI cannot publish an earlier run as this one; runs/ stays', () => {
    const root = freshRoot();
    const folder = new ReportsFolder(root);
    const id = '20240101T000000Z-aaaa';
    folder.publish(id, runFiles('first'));
    folder.withdrawTopLevel();
    expect(existsSync(join(root, 'junit.xml'))).toBe(false);
    expect(existsSync(join(root, 'results.json'))).toBe(false);
    expect(tree(join(root, 'runs', id))).toEqual([
      'facts/',
      'facts/compute1.json',
      'facts/controller.json',
      'junit.xml',
      'results.json',
    ]);
  });

  it('on a folder with nothing to withdraw, or none at all: no error', () => {
    const root = freshRoot();
    expect(() => new ReportsFolder(root).withdrawTopLevel()).not.toThrow();
    mkdirSync(root);
    expect(() => new ReportsFolder(root).withdrawTopLevel()).not.toThrow();
  });
});

describe('ReportsFolder: where reports cannot be written', () => {
  const file = join(scratch, 'a-regular-file');
  writeFileSync(file, 'not a folder\n');

  it('assertWritable creates runs/ and leaves no probe file behind', () => {
    const root = freshRoot();
    new ReportsFolder(root).assertWritable();
    expect(readdirSync(join(root, 'runs'))).toEqual([]);
  });

  it.each([
    ['the reports path is a regular file', file],
    ['the reports path lies under a regular file', join(file, 'reports')],
  ])('%s: assertWritable throws ReportsUnwritable naming the path', (_, root) => {
    const error = unwritable(() => new ReportsFolder(root).assertWritable());
    expect(error.name).toBe('ReportsUnwritable');
    expect(error.message).toContain(root);
    expect(error.message).toMatch(/: cannot write the reports \(ENOTDIR\)$/);
  });

  it.each([
    ['the reports path is a regular file', file],
    ['the reports path lies under a regular file', join(file, 'reports')],
  ])('%s: publish throws ReportsUnwritable naming the path, and the file is untouched', (_, root) => {
    const error = unwritable(() => new ReportsFolder(root).publish('20240101T000000Z-aaaa', runFiles('x')));
    expect(error.message).toContain(root);
    expect(error.message).toMatch(/cannot write the reports \(ENOTDIR\)$/);
    expect(read(file)).toBe('not a folder\n');
  });

  it('runs/ taken by a regular file: ReportsUnwritable, nothing at the top level changes', () => {
    const root = freshRoot();
    mkdirSync(root);
    writeFileSync(join(root, 'runs'), 'in the way\n');
    writeFileSync(join(root, 'junit.xml'), 'previous\n');
    const folder = new ReportsFolder(root);
    expect(unwritable(() => folder.assertWritable()).message).toContain(join(root, 'runs'));
    expect(unwritable(() => folder.publish('20240101T000000Z-aaaa', runFiles('x'))).message).toContain(
      join(root, 'runs'),
    );
    expect(read(join(root, 'junit.xml'))).toBe('previous\n');
    expect(readdirSync(root).sort()).toEqual(['junit.xml', 'runs']);
  });

  it('a top-level file that cannot be staged: ReportsUnwritable, and none of the top-level files changes', () => {
    const root = freshRoot();
    const folder = new ReportsFolder(root);
    folder.publish('20240101T000000Z-aaaa', runFiles('first'));
    // junit.xml stages first; results.json's staging name is taken by a folder that is not labspec's to remove.
    const second = '20240101T000100Z-bbbb';
    mkdirSync(join(root, `.results.json.${second}`, 'kept'), { recursive: true });
    expect(unwritable(() => folder.publish(second, runFiles('second'))).message).toContain(join(root, 'results.json'));
    expect(read(join(root, 'junit.xml'))).toBe('<testsuites name="first"/>\n');
    expect(read(join(root, 'results.json'))).toBe('{"run":"first"}\n');
    expect(readdirSync(root).filter((name) => name.startsWith('.junit.xml'))).toEqual([]);
  });

  it('a read-only folder (0555): ReportsUnwritable naming it', (context) => {
    // root bypasses file modes, so this only means something for another user.
    context.skip(process.getuid?.() === 0, 'running as root: chmod 0555 does not stop root from writing');
    const root = freshRoot();
    mkdirSync(root);
    chmodSync(root, 0o555);
    try {
      const folder = new ReportsFolder(root);
      expect(unwritable(() => folder.assertWritable()).message).toContain(root);
      expect(unwritable(() => folder.publish('20240101T000000Z-aaaa', runFiles('x'))).message).toMatch(
        /cannot write the reports \(EACCES\)$/,
      );
    } finally {
      chmodSync(root, 0o755);
    }
  });
});

describe('ReportsFolder.publish: a class run', () => {
  const root = freshRoot();
  const folder = new ReportsFolder(root);
  const classRun = '20240301T000000Z-aaaa';
  const classFiles: ReportFiles = [
    ...runFiles('class'),
    { name: 'class.json', content: '{}\n' },
    { name: 'class.html', content: '<!doctype html>\n' },
    { name: 'students/2024-0001.html', content: '<!doctype html>\n' },
    { name: 'students/2024-0001.md', content: '# 2024-0001\n' },
  ];
  folder.publish(classRun, classFiles);

  it('puts class.html at the top, and a students link to the run’s reports, so its links to students/ work there too', () => {
    expect(read(join(root, 'class.html'))).toBe('<!doctype html>\n');
    expect(lstatSync(join(root, 'students')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(root, 'students'))).toBe(join('runs', classRun, 'students'));
    expect(read(join(root, 'students', '2024-0001.md'))).toBe('# 2024-0001\n');
  });

  it('a run that is not a class’s takes class.html and the students link away from the top; its run keeps them', () => {
    folder.publish('20240301T000100Z-bbbb', runFiles('single'));
    expect(existsSync(join(root, 'class.html'))).toBe(false);
    expect(lstatOrNull(join(root, 'students'))).toBeNull();
    expect(existsSync(join(root, 'runs', classRun, 'students', '2024-0001.html'))).toBe(true);
  });

  it('a folder of the user named students is never removed', () => {
    const other = freshRoot();
    mkdirSync(join(other, 'students'), { recursive: true });
    new ReportsFolder(other).publish('20240301T000200Z-cccc', runFiles('single'));
    expect(lstatSync(join(other, 'students')).isDirectory()).toBe(true);
  });
});

function lstatOrNull(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}
