import { z } from 'zod';
import { type CommandOutput, defineProbe } from './probe.ts';
import { isMissingFile, partOf, splitLines, unparsable } from './text.ts';

export const releaseFact = z.object({
  /** /etc/os-release (or /usr/lib/os-release); null when neither exists. */
  osRelease: z
    .object({
      id: z.string(),
      /** NAME=, e.g. "CentOS Linux" or "CentOS Stream" (both have ID=centos); null when the file has none. */
      name: z.string().nullable(),
      idLike: z.array(z.string()),
      versionId: z.string().nullable(),
      prettyName: z.string().nullable(),
    })
    .nullable(),
  /** /etc/centos-release; null when it does not exist. */
  centosRelease: z
    .object({
      /** The first line, trailing whitespace stripped. */
      text: z.string(),
      /** The distribution name before " release", e.g. "CentOS Linux", "CentOS Stream", "Rocky Linux". */
      name: z.string(),
      version: z.string().nullable(),
    })
    .nullable(),
  /** Where /etc/centos-release really points (Rocky/Alma link it to their own file); null when absent. */
  centosReleasePath: z.string().nullable(),
});

export const releaseProbe = defineProbe({
  id: 'release',
  description: 'The distribution, from /etc/os-release and /etc/centos-release.',
  example:
    '{ osRelease: { id: "centos", name: "CentOS Linux", versionId: "7" }, centosRelease: { name: "CentOS Linux", version: "7.9.2009" } }',
  fileParts: ['osRelease', 'centosRelease'],
  commands: () => ({
    osRelease: 'cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release',
    centosRelease: 'cat /etc/centos-release',
    centosReleasePath: 'readlink -e /etc/centos-release',
  }),
  schema: releaseFact,
  parse(outputs) {
    const osRelease = partOf(outputs, 'osRelease');
    const centos = partOf(outputs, 'centosRelease');
    const link = partOf(outputs, 'centosReleasePath');

    const centosRelease = isMissingFile(centos)
      ? null
      : parseCentosRelease(exitZero(centos, 'cat /etc/centos-release'));
    let centosReleasePath: string | null = null;
    if (link.exitCode === 0) {
      const lines = splitLines(link.stdout);
      if (lines.length !== 1 || !lines[0]!.startsWith('/'))
        throw unparsable('readlink -e did not print one absolute path', link);
      centosReleasePath = lines[0]!;
    } else if (!(link.exitCode === 1 && link.stdout === '')) {
      throw unparsable(`readlink -e exited ${link.exitCode}`, link);
    }
    if ((centosRelease === null) !== (centosReleasePath === null)) {
      throw unparsable('cat and readlink -e disagree on whether /etc/centos-release exists', {
        ...centos,
        stderr: `${centos.stderr}${link.stdout}${link.stderr}`,
      });
    }

    return releaseFact.parse({
      osRelease: isMissingFile(osRelease) ? null : parseOsRelease(exitZero(osRelease, 'cat os-release')),
      centosRelease,
      centosReleasePath,
    });
  },
});

function exitZero(output: CommandOutput & { exitCode: number }, what: string): CommandOutput {
  if (output.exitCode !== 0) throw unparsable(`${what} exited ${output.exitCode}`, output);
  return output;
}

/**
 * os-release(5): KEY=value lines, blank lines and # comments. Values may be double-quoted
 * (with \\ escapes), single-quoted or bare; trailing whitespace after a value is ignored.
 * A line in any other shape, or no ID=, is Unparsable (lsb-release and debian_version are not os-release).
 */
export function parseOsRelease(output: CommandOutput): NonNullable<z.infer<typeof releaseFact>['osRelease']> {
  const values = new Map<string, string>();
  for (const line of splitLines(output.stdout)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(trimmed);
    if (!m) throw unparsable(`not an os-release line: ${trimmed}`, output);
    values.set(m[1]!, unquote(m[2]!, output));
  }
  const id = values.get('ID');
  if (id === undefined || id === '') throw unparsable('os-release has no ID=', output);
  return {
    id,
    name: values.get('NAME') ?? null,
    idLike: (values.get('ID_LIKE') ?? '').split(/\s+/).filter((w) => w !== ''),
    versionId: values.get('VERSION_ID') ?? null,
    prettyName: values.get('PRETTY_NAME') ?? null,
  };
}

function unquote(value: string, output: CommandOutput): string {
  const double = /^"((?:[^"\\]|\\.)*)"$/.exec(value);
  if (double) return double[1]!.replace(/\\(.)/g, '$1');
  const single = /^'([^']*)'$/.exec(value);
  if (single) return single[1]!;
  if (/^[^\s"'`$\\]*$/.test(value)) return value;
  throw unparsable(`os-release value in an unknown quoting: ${value}`, output);
}

/**
 * "<name> release <version>[ words][ (codename)]" on ONE line (trailing blank lines allowed):
 * "CentOS Linux release 7.9.2009 (Core)", "CentOS Stream release 8", "... release 6.10(Santiago)",
 * "... release 8.5 Beta (Ootpa)". version is the token after "release" when it starts with a digit,
 * else null (Kylin's "V10"). Anything else (e.g. TencentOS's os-release-shaped file) is Unparsable.
 */
export function parseCentosRelease(output: CommandOutput): NonNullable<z.infer<typeof releaseFact>['centosRelease']> {
  const lines = splitLines(output.stdout).map((l) => l.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length !== 1) throw unparsable(`expected one line, got ${lines.length}`, output);
  const text = lines[0]!;
  const m = /^(\S.*?) release (\S.*)$/.exec(text);
  if (!m) throw unparsable(`not a "<name> release <version>" line: ${text}`, output);
  const version = /^\d[0-9A-Za-z._]*?(?=$|[\s(])/.exec(m[2]!);
  return { text, name: m[1]!, version: version ? version[0] : null };
}
