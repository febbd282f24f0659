import { randomBytes } from 'node:crypto';
import { copyFileSync, linkSync, lstatSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * A run's report files, by name inside its run folder (`facts/<host>.json` for snapshots). A content given as a
 * function is built when its file is written, so that a class's large files are not all in memory at once.
 */
export type ReportFiles = ReadonlyArray<{ name: string; content: string | (() => string) }>;

/** The reports could not be written: one line naming the path and the reason. */
export class ReportsUnwritable extends Error {
  override name = 'ReportsUnwritable';
}

/** Sortable by time, unique per run: `20261130T193512Z-3fa1`. */
export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/** A class's grades and every run's scores: at the top level only while the latest run is a class's. */
const CLASS_FILES = ['class.json', 'class.csv', 'moodle.csv', 'history.csv', 'history.json', 'class.html'] as const;
/** Linked to the top level from the latest complete run. */
const TOP_LEVEL_FILES = ['junit.xml', 'results.json', ...CLASS_FILES] as const;

/**
 * The reports folder: `runs/<id>/` per run, complete or absent; the top level shows the latest
 * complete run (`junit.xml`, `results.json` as files a CI step publishes, `facts` and `latest` as links).
 */
export class ReportsFolder {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  runDir(runId: string): string {
    return join(this.root, 'runs', runId);
  }

  /** Before any host is contacted: can a run folder be created here at all? */
  assertWritable(): void {
    const probe = join(this.root, 'runs', `.write-test-${process.pid}-${randomBytes(4).toString('hex')}`);
    attempt(probe, () => {
      makeDirs(join(this.root, 'runs'));
      writeFileSync(probe, '');
      rmSync(probe);
    });
  }

  /**
   * Writes the run into `runs/.<id>.partial/`, renames it to `runs/<id>/`, then swaps each top-level
   * entry by rename: a reader sees the previous run or this one, never a half-written file. The top-level files are
   * first all staged as hard links to the run folder's (no data written, so a full disk cannot stop half of them),
   * and only then renamed into place; a staging that fails leaves the top level as it was.
   */
  publish(runId: string, files: ReportFiles): string {
    const runDir = this.runDir(runId);
    const partial = join(this.root, 'runs', `.${runId}.partial`);
    try {
      // The facts link points here even when the run read no host (an empty shard).
      attempt(join(partial, 'facts'), () => makeDirs(join(partial, 'facts')));
      for (const file of files) {
        const path = join(partial, file.name);
        attempt(path, () => {
          makeDirs(dirname(path));
          writeFileSync(path, typeof file.content === 'string' ? file.content : file.content());
        });
      }
      attempt(runDir, () => renameSync(partial, runDir));
    } finally {
      removeQuietly(partial);
    }
    const written = (name: string) => files.some((f) => f.name === name);
    // A run that is not a class's leaves no earlier class's grades next to its own results.
    if (written('results.json') && !written('class.json')) {
      for (const name of CLASS_FILES)
        attempt(join(this.root, name), () => rmSync(join(this.root, name), { force: true }));
      this.removeLink('students');
    }
    const staged: Array<{ temp: string; path: string }> = [];
    try {
      for (const name of TOP_LEVEL_FILES.filter(written)) {
        const temp = join(this.root, `.${name}.${runId}`);
        attempt(join(this.root, name), () => stageCopy(join(runDir, name), temp));
        staged.push({ temp, path: join(this.root, name) });
      }
    } catch (error) {
      for (const { temp } of staged) removeQuietly(temp);
      throw error;
    }
    for (const { temp, path } of staged) attempt(path, () => renameSync(temp, path));
    this.swapLink('facts', join('runs', runId, 'facts'));
    // class.html links each student to students/<file>.html, at the top level as in the run folder.
    if (written('class.json')) this.swapLink('students', join('runs', runId, 'students'));
    this.swapLink('latest', join('runs', runId));
    return runDir;
  }

  /** After a usage error: a CI step must not publish an earlier run's results as this one's. Earlier runs stay in runs/. */
  withdrawTopLevel(): void {
    for (const name of TOP_LEVEL_FILES) rmSync(join(this.root, name), { force: true });
  }

  /** A top-level link of an earlier run; anything else by that name is not labspec's to remove. */
  private removeLink(name: string): void {
    const path = join(this.root, name);
    if (lstatOrNull(path)?.isSymbolicLink()) attempt(path, () => rmSync(path));
  }

  private swapLink(name: string, target: string): void {
    const path = join(this.root, name);
    attempt(path, () => {
      const existing = lstatOrNull(path);
      // A folder left by an older labspec (before run folders) is kept, moved aside, never deleted.
      if (existing?.isDirectory())
        renameSync(path, join(this.root, 'runs', `${newRunId()}-${name}-before-run-folders`));
      const temp = join(this.root, `.${name}.${process.pid}.link`);
      rmSync(temp, { force: true });
      symlinkSync(target, temp);
      renameSync(temp, path);
    });
  }
}

/** mkdir -p, one level at a time: Node's recursive mkdir reports a read-only filesystem as ENOENT. */
function makeDirs(path: string): void {
  if (lstatOrNull(path)?.isDirectory()) return;
  const parent = dirname(path);
  if (parent !== path) makeDirs(parent);
  try {
    mkdirSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** A second name for a run's file: a hard link, or a copy where the filesystem has none (another mount, no links). */
function stageCopy(from: string, to: string): void {
  rmSync(to, { force: true });
  try {
    linkSync(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK') throw error;
    copyFileSync(from, to);
  }
}

/** Cleanup after a failed write must not replace the failure's own one-line reason. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // Nothing was published from it; the reason already on its way names the path.
  }
}

function lstatOrNull(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function attempt(path: string, write: () => void): void {
  try {
    write();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ReportsUnwritable(`${path}: cannot write the reports (${code})`);
  }
}
