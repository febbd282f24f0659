import { z } from 'zod';
import { type CommandOutput, defineProbe } from './probe.ts';
import { partOf, splitLines, unparsable } from './text.ts';

export const chronyDirective = z.object({
  file: z.string(),
  line: z.int().positive(),
  /** Lower-cased directive name: server, pool, allow, deny, local, confdir … */
  keyword: z.string(),
  args: z.array(z.string()),
});
export type ChronyDirective = z.infer<typeof chronyDirective>;

export const chronyConfigFact = z.object({
  /** The main config file chronyd reads; null when neither /etc/chrony.conf nor /etc/chrony/chrony.conf exists. */
  mainFile: z.string().nullable(),
  /**
   * Effective directives in chronyd's reading order: comments dropped, every file named by `include`
   * or `confdir` read at the place that names it, then the server/pool/peer lines of the `sourcedir`
   * files (chronyd loads those after the configuration).
   */
  directives: z.array(chronyDirective),
});

const MAIN = '/etc/chrony.conf';
const DEBIAN_MAIN = '/etc/chrony/chrony.conf';
/** chrony 4.x: CNF_ReadFile refuses to open a file deeper than this (the main file is level 1). */
export const MAX_INCLUDE_LEVEL = 10;
/** chrony's MAX_LINE_LENGTH: a configuration line of 2047 bytes or more is "String too long" (fatal). */
const MAX_LINE_BYTES = 2046;
/** Output cap: a configuration that includes itself through wildcards cannot flood the session. */
const OUTPUT_CAP_BYTES = 1_000_000;

/**
 * The remote reader, one POSIX sh line. `r LEVEL CHAIN FILE...` prints each file as `grep -aHnZ` records
 * ("path\0lineno:text", every byte as text), then a `\0file\0path\0grep-exit\0newline-count` record.
 * Below level 10, and unless the file is already in CHAIN (the files that included it: a loop is read
 * once, and the parser, which replays the nesting itself, finds chronyd's "Maximum include level"),
 * it then finds the include/confdir/sourcedir lines (tr turns chrony's other blanks
 * and NUL into spaces/newlines, so it finds a superset of chronyd's) and expands each pattern with the
 * shell's own globbing between `\0glob\0P\0` and `\0globend\0P\0`: `\0match\0P\0path\0` per file (then
 * read, one level deeper; .sources files are read but not searched), or `\0nomatch\0P\0EDX\0` with
 * the exit codes of `[ -e D ]`, `[ -d D ]` and `[ -r D ] && [ -x D ]` for the pattern's directory D.
 * Only absolute patterns are expanded. Nothing here runs text from the files: config words only go
 * through field splitting and pathname expansion. The parser decides what chronyd reads; this reads a
 * superset, and a pattern the parser needs but finds no record of is an error.
 */
export function chronyConfigReader(mainFiles: readonly string[] = [MAIN, DEBIAN_MAIN]): string {
  return [
    'r() ( d=$1; c=$2; shift 2; for f in "$@"; do',
    `grep -aHnZ '' "$f"; printf '\\0file\\0%s\\0%s\\0' "$f" $?; wc -l 2>/dev/null <"$f" || printf '\\n';`,
    `[ $d -lt ${MAX_INCLUDE_LEVEL} ] || continue; case $c in *" $f "*) continue;; esac;`,
    `tr '\\000\\t\\r\\v\\f' '\\n    ' 2>/dev/null <"$f" | grep -aiE '^ *(include|confdir|sourcedir) ' | while read -r k a || [ -n "$k" ]; do`,
    "case $k in [Ii]*) s=;; [Cc]*) s='/*.conf';; *) s='/*.sources';; esac;",
    'set -f; for p in $a; do set +f; p=$p$s;',
    'case $p in /*) ;; *) continue;; esac;',
    `printf '\\0glob\\0%s\\0\\n' "$p";`,
    'for g in $p; do',
    `if [ "$g" = "$p" ] && [ ! -e "$g" ] && [ ! -h "$g" ]; then case $p in *[[*?]*) q=\${p%/*}; [ -e "$q" ] || [ -h "$q" ]; e=$?; [ -d "$q" ]; t=$?; [ -r "$q" ] && [ -x "$q" ]; x=$?; printf '\\0nomatch\\0%s\\0%s%s%s\\0\\n' "$p" $e $t $x; continue;; esac; fi;`,
    `printf '\\0match\\0%s\\0%s\\0\\n' "$p" "$g";`,
    `case $s in *sources) r ${MAX_INCLUDE_LEVEL} '' "$g";; *) r $((d+1)) "$c$f " "$g";; esac;`,
    `done; printf '\\0globend\\0%s\\0\\n' "$p"; done; set +f; done; done );`,
    `{ r 1 ' ' ${mainFiles.join(' ')}; printf '\\0end\\0\\n'; } | head -c ${OUTPUT_CAP_BYTES}`,
  ].join(' ');
}

export const chronyConfigProbe = defineProbe({
  id: 'chrony-config',
  description:
    "chrony's configuration as chronyd reads it: /etc/chrony.conf (EL) or /etc/chrony/chrony.conf (Debian/Ubuntu), every file its include, confdir and sourcedir directives name (recursively, 10 levels like chronyd), in chronyd's order.",
  example:
    '{ mainFile: "/etc/chrony.conf", directives: [{ file: "/etc/chrony.conf", line: 3, keyword: "server", args: ["controller", "iburst"] }] }',
  fileParts: ['files'],
  commands: () => ({ files: chronyConfigReader() }),
  schema: chronyConfigFact,
  /**
   * Reads the records of chronyConfigReader and replays chronyd's own reading (chrony conf.c, 3.4 to 4.x):
   * `include PATTERN` reads the files glob(3) finds, sorted, at its position (a pattern without
   * wildcards must exist, a wildcard in a missing directory is fatal, one matching nothing in an
   * existing directory is ignored); `confdir DIR...` reads every `*.conf` of up to 10 directories in
   * file-name order, the first directory winning for a name found in several (missing directories
   * ignored); `sourcedir DIR...` the same for `*.sources`, loaded after the configuration, server,
   * pool and peer lines only, each line newline-terminated (a line with a NUL or without its newline
   * ends the file). Lines are cut at a NUL, as chronyd's strlen does.
   *
   * Unparsable (so every check that needs the config is an error naming the file) when: a file the
   * config names could not be read (permission denied, vanished, not a file), a literal include names
   * a missing file, a wildcard include's directory is missing or unlistable, a confdir/sourcedir
   * directory exists but cannot be listed, includes nest deeper than chronyd's 10 levels, a line has
   * 2047 bytes or more (chronyd stops), include has other than one argument, confdir/sourcedir more
   * than 10 or none, a pattern is relative or has wildcards or backslashes in its directory, a file
   * name is not valid UTF-8 (its order cannot be checked), both main files exist and differ, a
   * pattern the config names was not expanded by the reader, the output was cut at its cap, or any
   * record or stderr line is not understood.
   */
  parse(outputs) {
    return parseChronyConfig(partOf(outputs, 'files'));
  },
});

/** The reader's output as chronyd would read the configuration; `mainFiles` as given to chronyConfigReader. */
export function parseChronyConfig(
  out: CommandOutput,
  [main, debianMain]: readonly [string, string] = [MAIN, DEBIAN_MAIN],
): z.infer<typeof chronyConfigFact> {
  const fail = (reason: string) => unparsable(reason, out);
  const listing = readRecords(out.stdout, fail);

  // stderr: only grep's complaint about a file it could not read, with its reason.
  const reasons = new Map<string, string>();
  for (const line of splitLines(out.stderr)) {
    const path = [...listing.files.keys()].find((p) => line.startsWith(`grep: ${p}: `));
    if (path === undefined || listing.files.get(path)!.status !== 2) throw fail(`unexpected stderr: ${line}`);
    reasons.set(path, line.slice(`grep: ${path}: `.length));
  }
  const missing = (path: string) => listing.files.get(path)?.status === 2 && reasons.get(path) === ENOENT;

  const present = [main, debianMain].filter((p) => !missing(p));
  if (present.length === 0) return chronyConfigFact.parse({ mainFile: null, directives: [] });
  if (present.length === 2 && !sameText(listing.files.get(main), listing.files.get(debianMain))) {
    throw fail(
      `both ${main} and ${debianMain} exist and differ: which one chronyd reads depends on how it was built (EL: ${main}, Debian/Ubuntu: ${debianMain}) or on its -f option`,
    );
  }
  const mainFile = present[0]!;
  const replay = new ChronyReader(listing, reasons, fail);
  replay.readConfFile(mainFile, 1, null);
  replay.loadSources();
  return chronyConfigFact.parse({ mainFile, directives: replay.directives });
}

const ENOENT = 'No such file or directory';

interface FileRecord {
  /** grep's exit status: 0 lines printed, 1 empty file, 2 could not read. */
  status: number;
  lines: string[];
  /** `wc -l`: how many lines end with a newline; null when wc could not read the file. */
  newlines: number | null;
}

type Expansion = { matches: string[] } | { matches: []; dir: { exists: boolean; isDir: boolean; listable: boolean } };

interface Listing {
  files: Map<string, FileRecord>;
  globs: Map<string, Expansion>;
}

/** The reader's records, checked for shape, sequence and consistency (a file read twice must read the same). */
function readRecords(stdout: string, fail: (reason: string) => Error): Listing {
  const files = new Map<string, FileRecord>();
  const globs = new Map<string, Expansion>();
  const lines = stdout.split('\n');
  if (lines.pop() !== '' || lines.at(-1) !== '\0end\0') {
    throw fail(
      Buffer.byteLength(stdout, 'utf8') >= OUTPUT_CAP_BYTES
        ? `more than ${OUTPUT_CAP_BYTES} bytes of configuration (includes looping through wildcards?): output cut`
        : 'the reader did not finish (no end record)',
    );
  }
  lines.pop();
  let pending: { path: string; lines: string[] } | null = null;
  const closeGlob = (pattern: string, expansion: Expansion) => {
    const seen = globs.get(pattern);
    if (seen !== undefined && JSON.stringify(seen) !== JSON.stringify(expansion))
      throw fail(`${pattern} expanded differently twice: the files changed while being read`);
    globs.set(pattern, expansion);
  };
  const stack: Array<{
    pattern: string;
    matches: string[];
    dir: { exists: boolean; isDir: boolean; listable: boolean } | null;
  }> = [];
  for (const line of lines) {
    if (!line.startsWith('\0')) {
      const m = /^([^\0]+)\0(\d+):/.exec(line);
      if (!m) throw fail(`not a grep -aHnZ record: ${line}`);
      const [, path, number] = m as unknown as [string, string, string];
      if (pending !== null && pending.path !== path) throw fail(`lines of ${path} inside those of ${pending.path}`);
      pending ??= { path, lines: [] };
      if (Number(number) !== pending.lines.length + 1) throw fail(`line numbers of ${path} out of sequence`);
      pending.lines.push(line.slice(m[0].length));
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^\0file\0([^\0]+)\0(\d+)\0\s*(\d*)$/.exec(line))) {
      const [, path, status, newlines] = m as unknown as [string, string, string, string];
      if (pending !== null && pending.path !== path) throw fail(`lines of ${pending.path} without their end record`);
      const record: FileRecord = {
        status: Number(status),
        lines: pending?.lines ?? [],
        newlines: newlines === '' ? null : Number(newlines),
      };
      pending = null;
      if (record.status === 0 ? record.lines.length === 0 : record.status === 1 && record.lines.length > 0)
        throw fail(`grep exit ${record.status} does not match the ${record.lines.length} lines read from ${path}`);
      const seen = files.get(path);
      if (seen !== undefined && JSON.stringify(seen) !== JSON.stringify(record))
        throw fail(`${path} read differently twice: it changed while being read`);
      files.set(path, record);
    } else if (pending !== null) {
      throw fail(`lines of ${pending.path} without their end record`);
    } else if ((m = /^\0glob\0([^\0]+)\0$/.exec(line))) {
      stack.push({ pattern: m[1]!, matches: [], dir: null });
    } else if ((m = /^\0match\0([^\0]+)\0([^\0]+)\0$/.exec(line))) {
      const top = stack.at(-1);
      if (top === undefined || top.pattern !== m[1] || top.dir !== null)
        throw fail(`a match outside the expansion of its pattern: ${line}`);
      top.matches.push(m[2]!);
    } else if ((m = /^\0nomatch\0([^\0]+)\0([01])([01])([01])\0$/.exec(line))) {
      const top = stack.at(-1);
      if (top === undefined || top.pattern !== m[1] || top.matches.length > 0 || top.dir !== null)
        throw fail(`a no-match record outside the expansion of its pattern: ${line}`);
      top.dir = { exists: m[2] === '0', isDir: m[3] === '0', listable: m[4] === '0' };
    } else if ((m = /^\0globend\0([^\0]+)\0$/.exec(line))) {
      const top = stack.pop();
      if (top === undefined || top.pattern !== m[1]) throw fail(`an expansion ends that did not begin: ${line}`);
      closeGlob(top.pattern, top.dir === null ? { matches: top.matches } : { matches: [], dir: top.dir });
    } else {
      throw fail(`not a record of the chrony-config reader: ${line}`);
    }
  }
  if (pending !== null || stack.length > 0) throw fail('the reader stopped inside a file or an expansion');
  return { files, globs };
}

function sameText(a: FileRecord | undefined, b: FileRecord | undefined): boolean {
  return a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

const MAGIC = /[*?[\\]/;

/** Byte order of the UTF-8 names, as glob(3) and chrony's compare_basenames (strcmp) sort them. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const basename = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** chronyd's reading of its configuration, replayed over the reader's records. */
class ChronyReader {
  readonly directives: ChronyDirective[] = [];
  /** sourcedir directives in order: their files are loaded after the whole configuration. */
  private readonly sourceDirs: ChronyDirective[] = [];

  private readonly listing: Listing;
  private readonly reasons: ReadonlyMap<string, string>;
  private readonly fail: (reason: string) => Error;

  constructor(listing: Listing, reasons: ReadonlyMap<string, string>, fail: (reason: string) => Error) {
    this.listing = listing;
    this.reasons = reasons;
    this.fail = fail;
  }

  private where(d: ChronyDirective): string {
    return `${d.file}:${d.line} '${[d.keyword, ...d.args].join(' ')}'`;
  }

  /** The lines of a file chronyd opens; anything labspec could not read is an error naming it. */
  private linesOf(path: string, via: ChronyDirective | null): string[] {
    const file = this.listing.files.get(path);
    const named = via ? ` (named by ${this.where(via)})` : '';
    if (file === undefined) throw this.fail(`labspec did not read ${path}${named}`);
    if (file.status === 2) {
      const reason = this.reasons.get(path) ?? 'grep exited 2';
      const consequence = reason === ENOENT && via ? '; chronyd refuses to start without it' : '';
      throw this.fail(`cannot read ${path}${named}: ${reason}${consequence}`);
    }
    if (file.status !== 0 && file.status !== 1) throw this.fail(`grep exited ${file.status} reading ${path}${named}`);
    return file.lines;
  }

  private tooDeep(via: ChronyDirective): Error {
    return this.fail(
      `${this.where(via)} nests includes deeper than ${MAX_INCLUDE_LEVEL} levels: chronyd 4.x refuses to start ("Maximum include level reached"), 3.x recurses without end`,
    );
  }

  readConfFile(path: string, level: number, via: ChronyDirective | null): void {
    if (level > MAX_INCLUDE_LEVEL) throw this.tooDeep(via!);
    for (const [index, raw] of this.linesOf(path, via).entries()) {
      if (Buffer.byteLength(raw, 'utf8') > MAX_LINE_BYTES) {
        throw this.fail(
          `${path}:${index + 1} is longer than chronyd reads (${MAX_LINE_BYTES} bytes): chronyd stops with "String too long"`,
        );
      }
      const words = directiveWords(raw);
      if (words === null) continue;
      const [keyword, ...args] = words as [string, ...string[]];
      const directive: ChronyDirective = { file: path, line: index + 1, keyword: keyword.toLowerCase(), args };
      this.directives.push(directive);
      if (directive.keyword === 'include') this.include(directive, level);
      else if (directive.keyword === 'confdir') {
        for (const file of this.searchDirs(directive, '.conf', level)) this.readConfFile(file, level + 1, directive);
      } else if (directive.keyword === 'sourcedir') this.sourceDirs.push(directive);
    }
  }

  private include(directive: ChronyDirective, level: number): void {
    if (directive.args.length !== 1)
      throw this.fail(`${this.where(directive)}: include takes exactly one pattern; chronyd refuses this line`);
    const pattern = directive.args[0]!;
    const dir = this.checkPattern(directive, pattern);
    const expansion = this.expansion(directive, pattern, level);
    if ('dir' in expansion) {
      if (!MAGIC.test(basename(pattern)))
        throw this.fail(`${this.where(directive)}: the reader reported no file for a literal name`);
      if (!expansion.dir.exists)
        throw this.fail(
          `${this.where(directive)}: directory ${dir} does not exist; chronyd refuses to start ("Could not search for files matching")`,
        );
      if (expansion.dir.isDir && !expansion.dir.listable)
        throw this.fail(
          `${this.where(directive)}: cannot list ${dir}, so labspec cannot tell which files chronyd includes`,
        );
      return; // a wildcard matching nothing in an existing directory: chronyd ignores it
    }
    for (const file of [...expansion.matches].sort(byteOrder)) this.readConfFile(file, level + 1, directive);
  }

  /** chrony's search_dirs: `DIR/*SUFFIX` for each directory, by file name, the first directory winning. */
  private searchDirs(directive: ChronyDirective, suffix: string, level: number): string[] {
    if (directive.args.length < 1 || directive.args.length > 10)
      throw this.fail(
        `${this.where(directive)}: ${directive.keyword} takes 1 to 10 directories; chronyd refuses this line`,
      );
    const found: Array<{ dirIndex: number; path: string }> = [];
    directive.args.forEach((dir, dirIndex) => {
      const pattern = `${dir}/*${suffix}`;
      this.checkPattern(directive, pattern);
      const expansion = this.expansion(directive, pattern, level);
      if ('dir' in expansion) {
        if (expansion.dir.isDir && !expansion.dir.listable)
          throw this.fail(
            `${this.where(directive)}: cannot list ${dir}, so labspec cannot tell which files chronyd reads there`,
          );
        return; // missing (or not a directory): chronyd ignores it
      }
      for (const path of expansion.matches) found.push({ dirIndex, path });
    });
    const byName = new Map<string, { dirIndex: number; path: string }>();
    for (const entry of found) {
      const name = basename(entry.path);
      const kept = byName.get(name);
      if (kept === undefined || entry.dirIndex < kept.dirIndex) byName.set(name, entry);
    }
    return [...byName.keys()].sort(byteOrder).map((name) => byName.get(name)!.path);
  }

  /** The directory of an absolute pattern without wildcards in its directory part. */
  private checkPattern(directive: ChronyDirective, pattern: string): string {
    if (!pattern.startsWith('/'))
      throw this.fail(`${this.where(directive)}: relative path ${pattern}; labspec reads absolute paths only`);
    const dir = pattern.slice(0, pattern.lastIndexOf('/')) || '/';
    if (MAGIC.test(dir))
      throw this.fail(
        `${this.where(directive)}: labspec does not expand wildcards or backslashes in directory names (${pattern})`,
      );
    return dir;
  }

  private expansion(directive: ChronyDirective, pattern: string, level: number): Expansion {
    const expansion = this.listing.globs.get(pattern);
    if (expansion === undefined && level >= MAX_INCLUDE_LEVEL) throw this.tooDeep(directive);
    if (expansion === undefined) throw this.fail(`${this.where(directive)}: the reader did not expand ${pattern}`);
    for (const path of expansion.matches) {
      if (path.includes('\uFFFD'))
        throw this.fail(
          `${this.where(directive)}: file name ${path} is not valid UTF-8; labspec cannot order it like chronyd`,
        );
    }
    return expansion;
  }

  /** chrony's load_source_file for every sourcedir: server/pool/peer lines, each newline-terminated. */
  loadSources(): void {
    for (const directive of this.sourceDirs) {
      // sourcedir adds no include level: a missing expansion is the reader's gap, not chronyd's limit.
      for (const path of this.searchDirs(directive, '.sources', 0)) {
        const lines = this.linesOf(path, directive);
        const file = this.listing.files.get(path)!;
        if (file.newlines === null)
          throw this.fail(`cannot count the lines of ${path} (named by ${this.where(directive)})`);
        for (const [index, raw] of lines.entries()) {
          const terminated = index < file.newlines;
          if (!terminated || raw.includes('\0') || Buffer.byteLength(raw, 'utf8') > MAX_LINE_BYTES + 1) break;
          const words = directiveWords(raw);
          if (words === null) continue;
          const [keyword, ...args] = words as [string, ...string[]];
          if (!['server', 'pool', 'peer'].includes(keyword.toLowerCase())) continue;
          this.directives.push({ file: path, line: index + 1, keyword: keyword.toLowerCase(), args });
        }
      }
    }
  }
}

/**
 * chrony's CPS_NormalizeLine on one line: the text ends at a NUL (chronyd works on C strings), a line
 * whose first non-blank character is one of # ! ; % is a comment (a "#" later in the line is NOT), and
 * words are separated by C blanks (space, tab, CR, LF, VT, FF — not other Unicode spaces). null for
 * comments and blank lines.
 */
export function directiveWords(text: string): string[] | null {
  const words = text
    .split('\0', 1)[0]!
    .split(/[ \t\r\n\v\f]+/)
    .filter((w) => w !== '');
  if (words.length === 0 || '#!;%'.includes(words[0]![0]!)) return null;
  return words;
}
