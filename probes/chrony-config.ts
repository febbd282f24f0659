import { z } from 'zod';
import { defineProbe, UnparsableOutput } from './probe.ts';

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
  description: "chrony's configuration: /etc/chrony.conf (EL) or /etc/chrony/chrony.conf (Debian/Ubuntu) and the conf.d/sources.d files they include.",
  example: '{ mainFile: "/etc/chrony.conf", directives: [{ file: "/etc/chrony.conf", line: 3, keyword: "server", args: ["controller", "iburst"] }] }',
  commands: () => ({
    // grep -Z puts a NUL after each file name, so file content can never forge which file a line came from.
    files:
      "grep -HnZ '' /etc/chrony.conf /etc/chrony/chrony.conf /etc/chrony/conf.d/*.conf /etc/chrony/sources.d/*.sources",
  }),
  schema: chronyConfigFact,
  parse() {
    throw new UnparsableOutput('parser pending', '');
  },
});
