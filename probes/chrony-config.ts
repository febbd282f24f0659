import { z } from 'zod';
import { defineProbe } from './probe.ts';
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
  /** Effective directives in reading order: comments dropped, conf.d/sources.d files included where the main file names them. */
  directives: z.array(chronyDirective),
});

export const chronyConfigProbe = defineProbe({
  id: 'chrony-config',
  description:
    "chrony's configuration: /etc/chrony.conf (EL) or /etc/chrony/chrony.conf (Debian/Ubuntu) and the conf.d/sources.d files they include.",
  example:
    '{ mainFile: "/etc/chrony.conf", directives: [{ file: "/etc/chrony.conf", line: 3, keyword: "server", args: ["controller", "iburst"] }] }',
  commands: () => ({
    // grep -Z puts a NUL after each file name, so file content can never forge which file a line came from.
    files:
      "grep -HnZ '' /etc/chrony.conf /etc/chrony/chrony.conf /etc/chrony/conf.d/*.conf /etc/chrony/sources.d/*.sources",
  }),
  schema: chronyConfigFact,
  /**
   * grep -HnZ prints "path\0lineno:content" per line. Missing files are normal (grep exit 2 with only
   * "No such file or directory" on stderr); any other stderr (permission denied, binary file…), a
   * path outside the four globs, or a broken record is Unparsable. A main file that exists but is
   * empty prints nothing, so existence = has lines or not reported missing.
   */
  parse(outputs) {
    const out = partOf(outputs, 'files');
    const missing = new Set<string>();
    for (const line of splitLines(out.stderr)) {
      const m = /^grep: (.+): No such file or directory$/.exec(line);
      if (!m) throw unparsable(`grep complained: ${line}`, out);
      missing.add(m[1]!);
    }
    if (out.exitCode > 2 || (out.exitCode === 2) !== missing.size > 0)
      throw unparsable(`grep exited ${out.exitCode}`, out);

    const files = new Map<string, string[]>();
    for (const record of splitLines(out.stdout)) {
      const m = /^([^\0]+)\0(\d+):([^\0]*)$/.exec(record);
      if (!m || !KNOWN_PATH.test(m[1]!)) throw unparsable(`not a grep -HnZ record of a chrony file: ${record}`, out);
      const lines = files.get(m[1]!) ?? [];
      if (Number(m[2]) !== lines.length + 1) throw unparsable(`line numbers of ${m[1]} out of sequence`, out);
      lines.push(m[3]!);
      files.set(m[1]!, lines);
    }

    const exists = (path: string) => files.has(path) || !missing.has(path);
    const mainFile = [MAIN, DEBIAN_MAIN].find(exists) ?? null;
    if (mainFile === null) return chronyConfigFact.parse({ mainFile, directives: [] });

    const directives: ChronyDirective[] = [];
    const read = (file: string) => {
      for (const [index, text] of (files.get(file) ?? []).entries()) {
        const words = directiveWords(text);
        if (words === null) continue;
        const [keyword, ...args] = words as [string, ...string[]];
        directives.push({ file, line: index + 1, keyword: keyword.toLowerCase(), args });
        if (file !== mainFile) continue;
        // Included files are read where the main file names them, in file-name order.
        for (const included of [...files.keys()].sort()) {
          if (included !== mainFile && includes(keyword.toLowerCase(), args, included)) read(included);
        }
      }
    };
    read(mainFile);
    return chronyConfigFact.parse({ mainFile, directives });
  },
});

const MAIN = '/etc/chrony.conf';
const DEBIAN_MAIN = '/etc/chrony/chrony.conf';
const KNOWN_PATH =
  /^(?:\/etc\/chrony\.conf|\/etc\/chrony\/chrony\.conf|\/etc\/chrony\/conf\.d\/[^/]+\.conf|\/etc\/chrony\/sources\.d\/[^/]+\.sources)$/;

/**
 * chrony's CPS_NormalizeLine: a line whose first non-blank character is one of # ! ; % is a comment
 * (a "#" later in the line is NOT), words are separated by any blanks. null for comments and blank lines.
 */
export function directiveWords(text: string): string[] | null {
  const trimmed = text.trim();
  if (trimmed === '' || '#!;%'.includes(trimmed[0]!)) return null;
  return trimmed.split(/\s+/);
}

/** Does this main-file directive make chronyd read `file`? confdir/sourcedir/include (simple * globs). */
function includes(keyword: string, args: string[], file: string): boolean {
  const dir = file.slice(0, file.lastIndexOf('/'));
  if (keyword === 'confdir') return file.endsWith('.conf') && args.some((a) => a.replace(/\/+$/, '') === dir);
  if (keyword === 'sourcedir') return file.endsWith('.sources') && args.some((a) => a.replace(/\/+$/, '') === dir);
  if (keyword === 'include' && args[0] !== undefined) {
    const glob = new RegExp(`^${args[0].replace(/[.+^${}()|[\]\\?]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
    return glob.test(file);
  }
  return false;
}
