import { z } from 'zod';
import { defineProbe } from './probe.ts';
import { isIPAddress, isMissingFile, partOf, splitLines, unparsable } from './text.ts';

export const etcHostsFact = z.object({
  entries: z.array(
    z.object({
      line: z.int().positive(),
      address: z.string(),
      /** Canonical name first, then aliases, as written. */
      names: z.array(z.string()),
    }),
  ),
});
export type EtcHostsEntry = z.infer<typeof etcHostsFact>['entries'][number];

export const etcHostsProbe = defineProbe({
  id: 'etc-hosts',
  description: 'Static name mappings in /etc/hosts, comments dropped, with line numbers.',
  example: '{ entries: [{ line: 3, address: "10.0.0.100", names: ["controller"] }] }',
  fileParts: ['hosts'],
  commands: () => ({ hosts: 'cat /etc/hosts' }),
  schema: etcHostsFact,
  /**
   * As glibc reads it: "#" starts a comment anywhere, fields are split on blanks. Kept: lines whose
   * first field is an IP address and that name at least one host. Skipped silently: lines whose first
   * field is not an IP address (glibc ignores them too, e.g. typos like 10.0.0.300) and address-only
   * lines. A missing /etc/hosts is an empty list (no static mappings, as for glibc).
   */
  parse(outputs) {
    const out = partOf(outputs, 'hosts');
    if (isMissingFile(out)) return etcHostsFact.parse({ entries: [] });
    if (out.exitCode !== 0) throw unparsable(`cat /etc/hosts exited ${out.exitCode}`, out);
    const entries: EtcHostsEntry[] = [];
    for (const [index, text] of splitLines(out.stdout).entries()) {
      const [address, ...names] = text.replace(/#.*$/, '').trim().split(/\s+/);
      if (address === undefined || !isIPAddress(address) || names.length === 0) continue;
      entries.push({ line: index + 1, address, names });
    }
    return etcHostsFact.parse({ entries });
  },
});
