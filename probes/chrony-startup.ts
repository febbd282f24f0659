import { z } from 'zod';
import { type CommandOutput, defineProbe } from './probe.ts';
import { partOf, splitLines, unparsable } from './text.ts';

/** chronyd's command line, as it runs now or as systemd would start it after a reboot. */
export const chronydCommandLine = z.object({
  /** Where labspec read it: `running chronyd (pid 34)` or `chronyd.service ExecStart, $OPTIONS from /etc/sysconfig/chronyd`. */
  origin: z.string(),
  argv: z.array(z.string()),
  /** The file given by -f, which chronyd reads instead of its default chrony.conf; null without -f. */
  configFile: z.string().nullable(),
  /** Configuration directives given as arguments: with any, chronyd reads no configuration file at all. */
  directives: z.array(z.string()),
});
export type ChronydCommandLine = z.infer<typeof chronydCommandLine>;

export const chronyStartupFact = z.object({ commandLines: z.array(chronydCommandLine) });

const UNITS = ['chronyd.service', 'chrony.service'] as const;
const PROPERTIES = 'Id,LoadState,ActiveState,MainPID,ExecStart,EnvironmentFiles,Environment';

/**
 * One pass over `systemctl show`: each line is printed as it comes, and right after a MainPID line (a running
 * chronyd's /proc/PID/cmdline) or an EnvironmentFiles line (the file named), that file follows as hex bytes between
 * `@@ read PATH` and `@@ exit STATUS`, or `@@ missing PATH`. Hex keeps NULs and newlines of the files apart from
 * the records; systemctl's lines start with a property name, never with a space or `@@`.
 */
export const CHRONY_STARTUP_READER =
  `systemctl show -p ${PROPERTIES} ${UNITS.join(' ')} | while IFS= read -r l || [ -n "$l" ]; do ` +
  `printf '%s\\n' "$l"; case $l in MainPID=0) continue;; MainPID=*) f=/proc/\${l#MainPID=}/cmdline;; ` +
  `EnvironmentFiles=*) f=\${l#EnvironmentFiles=}; f=\${f% (ignore_errors=*)};; *) continue;; esac; ` +
  `if [ -e "$f" ]; then printf '@@ read %s\\n' "$f"; od -An -v -tx1 <"$f"; printf '@@ exit %s\\n' $?; ` +
  `else printf '@@ missing %s\\n' "$f"; fi; done`;

export const chronyStartupProbe = defineProbe({
  id: 'chrony-startup',
  description:
    "How chronyd is started: the command line of the running chronyd (/proc/PID/cmdline) and the one systemd would start after a reboot (the unit's ExecStart with $VARIABLES from its Environment= and EnvironmentFile=s), so that a chronyd given another configuration file (-f) or directives on its command line is never judged by chrony.conf.",
  example:
    '{ commandLines: [{ origin: "running chronyd (pid 34)", argv: ["/usr/sbin/chronyd", "-F", "1", "-x"], configFile: null, directives: [] }] }',
  fileParts: ['units'],
  commands: () => ({ units: CHRONY_STARTUP_READER }),
  schema: chronyStartupFact,
  /**
   * Unparsable when: anything is on stderr, systemctl did not answer one block per unit, a line is not understood,
   * a file named was read incompletely, a running chronyd's command line is missing, an EnvironmentFile without
   * `-` is missing (chronyd would not start), an environment file or Environment= uses quoting or escapes labspec
   * does not model, ExecStart uses $ other than a whole `$VAR`/`${VAR}` word, or a command line has an option
   * chronyd 3.4–4.x does not have.
   */
  parse(outputs) {
    return parseChronyStartup(partOf(outputs, 'units'));
  },
});

interface UnitBlock {
  properties: Map<string, string[]>;
  /** Files read right after a MainPID or EnvironmentFiles line, by path: their bytes, or null when missing. */
  files: Map<string, Buffer | null>;
}

export function parseChronyStartup(out: CommandOutput): z.infer<typeof chronyStartupFact> {
  const fail = (reason: string) => unparsable(reason, out);
  if (out.stderr !== '') throw fail(`unexpected stderr: ${splitLines(out.stderr)[0]}`);
  const blocks = readBlocks(out.stdout, fail);
  if (blocks.length !== UNITS.length) throw fail(`expected ${UNITS.length} unit blocks, got ${blocks.length}`);

  const commandLines: ChronydCommandLine[] = [];
  const seen = new Set<string>();
  for (const block of blocks) {
    const id = only(block, 'Id', fail);
    // Debian's chrony.service and chronyd.service are one unit under two names: systemctl answers it twice.
    if (seen.has(id) || only(block, 'LoadState', fail) !== 'loaded') continue;
    seen.add(id);
    const mainPid = only(block, 'MainPID', fail);
    if (!/^\d+$/.test(mainPid)) throw fail(`${id}: MainPID=${mainPid} is not a process id`);
    if (mainPid !== '0') {
      const path = `/proc/${mainPid}/cmdline`;
      const cmdline = block.files.get(path);
      if (cmdline === undefined || cmdline === null) throw fail(`${id}: chronyd (pid ${mainPid}) ended while read`);
      const argv = cmdline.toString('utf8').split('\0');
      if (argv.at(-1) === '') argv.pop();
      commandLines.push(analyse(`running chronyd (pid ${mainPid})`, argv, fail));
    }
    const environment = unitEnvironment(id, block, fail);
    for (const execStart of block.properties.get('ExecStart') ?? []) {
      const argv = expandExecStart(id, execStart, environment.values, fail);
      commandLines.push(analyse(`${id} ExecStart${environment.origin}`, argv, fail));
    }
  }
  return chronyStartupFact.parse({ commandLines });
}

/** The lines of the reader's output as unit blocks (blank lines between units), each with the files read in it. */
function readBlocks(stdout: string, fail: (reason: string) => Error): UnitBlock[] {
  const blocks: UnitBlock[] = [];
  let block: UnitBlock | null = null;
  let lastPath: string | null = null;
  const lines = splitLines(stdout);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') {
      block = null;
      continue;
    }
    if (block === null) blocks.push((block = { properties: new Map(), files: new Map() }));
    const property = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    if (property) {
      const [, key, value] = property as unknown as [string, string, string];
      block.properties.set(key, [...(block.properties.get(key) ?? []), value]);
      lastPath =
        key === 'MainPID' && value !== '0'
          ? `/proc/${value}/cmdline`
          : key === 'EnvironmentFiles'
            ? value.replace(/ \(ignore_errors=.*\)$/, '')
            : null;
      continue;
    }
    const missing = /^@@ missing (.*)$/.exec(line);
    const read = /^@@ read (.*)$/.exec(line);
    const path = (missing ?? read)?.[1];
    if (path === undefined) throw fail(`not a property or file record: ${line}`);
    if (path !== lastPath) throw fail(`a file record for ${path} where none was asked for`);
    lastPath = null;
    if (missing) {
      block.files.set(path, null);
      continue;
    }
    const bytes: number[] = [];
    for (i++; i < lines.length && lines[i]!.startsWith(' '); i++) {
      const hex = lines[i]!.trim().split(/ +/);
      if (!hex.every((h) => /^[0-9a-f]{2}$/.test(h))) throw fail(`not od's hex bytes: ${lines[i]}`);
      bytes.push(...hex.map((h) => parseInt(h, 16)));
    }
    if (lines[i] !== '@@ exit 0') throw fail(`${path} was not read to its end (${lines[i] ?? 'output ended'})`);
    block.files.set(path, Buffer.from(bytes));
  }
  return blocks;
}

function only(block: UnitBlock, key: string, fail: (reason: string) => Error): string {
  const values = block.properties.get(key);
  if (values?.length !== 1) throw fail(`expected one ${key}= line per unit, got ${values?.length ?? 0}`);
  return values[0]!;
}

/** The variables systemd gives ExecStart: Environment=, then each EnvironmentFile in order (later ones win). */
function unitEnvironment(id: string, block: UnitBlock, fail: (reason: string) => Error) {
  const values = new Map<string, string>();
  for (const assignments of block.properties.get('Environment') ?? []) {
    if (/["'\\]/.test(assignments)) throw fail(`${id}: Environment=${assignments} uses quoting labspec does not read`);
    for (const word of assignments.split(' ').filter((w) => w !== '')) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(word);
      if (!m) throw fail(`${id}: Environment= entry '${word}' is not NAME=value`);
      values.set(m[1]!, m[2]!);
    }
  }
  const read: string[] = [];
  for (const entry of block.properties.get('EnvironmentFiles') ?? []) {
    const m = /^(.*) \(ignore_errors=(yes|no)\)$/.exec(entry);
    if (!m) throw fail(`${id}: EnvironmentFiles=${entry} is not understood`);
    const [, path, ignoreErrors] = m as unknown as [string, string, string];
    const bytes = block.files.get(path);
    if (bytes === undefined) throw fail(`${id}: ${path} was not read`);
    if (bytes === null) {
      if (ignoreErrors === 'no') throw fail(`${id}: EnvironmentFile=${path} is missing, so chronyd would not start`);
      continue;
    }
    for (const [name, value] of readEnvironmentFile(path, bytes.toString('utf8'), fail)) values.set(name, value);
    read.push(path);
  }
  return { values, origin: read.length === 0 ? '' : ` with ${read.join(', ')}` };
}

/**
 * KEY=VALUE lines as systemd reads an EnvironmentFile: blank lines and lines starting with # or ; skipped, a value
 * unquoted or wholly in "…" or '…'. A backslash, a quote inside a value or any other line is not modelled: Unparsable.
 */
export function readEnvironmentFile(
  path: string,
  text: string,
  fail: (reason: string) => Error,
): Array<[string, string]> {
  const assignments: Array<[string, string]> = [];
  splitLines(text).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    const value = m?.[2] ?? '';
    const quoted = /^"([^"\\]*)"$/.exec(value) ?? /^'([^'\\]*)'$/.exec(value);
    if (!m || (!quoted && /["'\\]/.test(value))) throw fail(`${path}:${index + 1} is not understood: ${line}`);
    assignments.push([m[1]!, quoted ? quoted[1]! : value]);
  });
  return assignments;
}

/**
 * `ExecStart={ path=… ; argv[]=ARGS ; ignore_errors=… }` with ARGS as systemd would run them: `$VAR` split on
 * whitespace into words, `${VAR}` one word, an unset variable nothing. systemctl joins argv[] with spaces and drops
 * its quoting, so a word is what lies between spaces.
 */
function expandExecStart(
  id: string,
  execStart: string,
  environment: ReadonlyMap<string, string>,
  fail: (reason: string) => Error,
): string[] {
  const m = /^\{ path=\S+ ; argv\[\]=(.*?) ; ignore_errors=(yes|no) ; /.exec(execStart);
  if (!m) throw fail(`${id}: ExecStart=${execStart} is not understood`);
  const argv: string[] = [];
  for (const word of m[1]!.split(' ').filter((w) => w !== '')) {
    const variable = /^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})$/.exec(word);
    if (variable?.[1] !== undefined) argv.push(...(environment.get(variable[1]) ?? '').split(/\s+/).filter(Boolean));
    else if (variable?.[2] !== undefined) argv.push(environment.get(variable[2]) ?? '');
    else if (word.includes('$')) throw fail(`${id}: ExecStart word '${word}' is an expansion labspec does not model`);
    else argv.push(word);
  }
  return argv;
}

/** chronyd's options (getopt "46df:F:hl:L:mnpP:qQrRst:u:Uvx" in 4.x; 3.4 has a subset): those taking a value. */
const WITH_VALUE = new Set('fFlLPtu');
const FLAGS = new Set('46dhmnpqQrRsUvx');

/** The -f file and the directives of one chronyd command line, read as chronyd's getopt reads it. */
function analyse(origin: string, argv: string[], fail: (reason: string) => Error): ChronydCommandLine {
  let configFile: string | null = null;
  const directives: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') {
      directives.push(...argv.slice(i + 1));
      break;
    }
    if (!word.startsWith('-') || word === '-') {
      directives.push(word);
      continue;
    }
    for (let j = 1; j < word.length; j++) {
      const option = word[j]!;
      if (FLAGS.has(option)) continue;
      if (!WITH_VALUE.has(option)) throw fail(`${origin}: chronyd has no option -${option} (in '${argv.join(' ')}')`);
      const value = j + 1 < word.length ? word.slice(j + 1) : argv[++i];
      if (value === undefined) throw fail(`${origin}: -${option} without its value`);
      if (option === 'f') configFile = value;
      break;
    }
  }
  return { origin, argv, configFile, directives };
}
