import { z } from 'zod';
import { COMMAND_NOT_FOUND, defineProbe } from './probe.ts';
import { partOf, splitLines, unparsable } from './text.ts';

export const chronySource = z.object({
  /** ^ server, = peer, # local reference clock */
  mode: z.enum(['^', '=', '#']),
  /** * selected, + combined, - not combined, ? unusable, x falseticker, ~ too variable */
  state: z.enum(['*', '+', '-', '?', 'x', '~']),
  /** IP address with -n; a (possibly truncated) name otherwise. */
  address: z.string(),
  stratum: z.int().nonnegative(),
  reach: z.int().nonnegative(),
});
export type ChronySource = z.infer<typeof chronySource>;

export const chronySourcesFact = z.discriminatedUnion('daemon', [
  z.object({ daemon: z.literal('answered'), sources: z.array(chronySource) }),
  /** chronyc ran but could not talk to chronyd ("506 Cannot talk to daemon"), or chronyc is missing. */
  z.object({ daemon: z.literal('unreachable'), message: z.string() }),
]);

export const chronySourcesProbe = defineProbe({
  id: 'chrony-sources',
  description:
    "chrony's time sources and which one is selected (`chronyc -n sources`). On compute nodes it waits up to chronySyncWaitSeconds for a selected source.",
  example:
    '{ daemon: "answered", sources: [{ mode: "^", state: "*", address: "10.0.0.100", stratum: 11, reach: 377 }] }',
  commands: ({ role, chronySyncWaitSeconds }) => ({
    sources:
      role === 'compute' && chronySyncWaitSeconds > 0
        ? `i=0; while [ $i -lt ${Math.trunc(chronySyncWaitSeconds)} ] && ! chronyc -n sources 2>/dev/null | grep -q '^.\\*'; do sleep 1; i=$((i+1)); done; chronyc -n sources`
        : 'chronyc -n sources',
  }),
  schema: chronySourcesFact,
  /**
   * chronyc missing (127) or "506 Cannot talk to daemon" (stdout, exit 1) → unreachable. Otherwise
   * (exit 0) everything up to the "=====" rule is skipped (optional "210 Number of sources" line, -v
   * legend), but the line just above the rule must be the sources column header, so `sourcestats` or
   * other tables are rejected. Each row after the rule must be a sources row; reach is kept as printed
   * (octal digits, e.g. 377). Zero rows is a valid empty list; the "210" count is not checked (it
   * can differ from the rows in trimmed copies).
   */
  parse(outputs) {
    const out = partOf(outputs, 'sources');
    if (out.exitCode === COMMAND_NOT_FOUND) {
      return chronySourcesFact.parse({
        daemon: 'unreachable',
        message: out.stderr.trim() || 'chronyc: command not found',
      });
    }
    const lines = splitLines(out.stdout);
    if (out.exitCode !== 0) {
      const refusal = lines.find((l) => /^506 Cannot talk to daemon\s*$/.test(l));
      if (out.exitCode === 1 && refusal !== undefined)
        return chronySourcesFact.parse({ daemon: 'unreachable', message: refusal.trim() });
      throw unparsable(`chronyc exited ${out.exitCode}`, out);
    }
    const rule = lines.findIndex((l) => /^={20,}\s*$/.test(l));
    if (
      rule < 1 ||
      !/^MS Name\/IP address\s+Stratum\s+Poll\s+Reach\s+LastRx\s+Last sample\s*$/.test(lines[rule - 1]!)
    ) {
      throw unparsable('no chronyc sources header and "=====" rule', out);
    }
    const sources = lines
      .slice(rule + 1)
      .filter((l) => l.trim() !== '')
      .map((line) => {
        const m = /^([\^=#])([*+\-?x~]) (\S+)\s+(\d+)\s+(-?\d+)\s+([0-7]{1,3})\s+(?:-|\d+[smhdy]?)\s+\S/.exec(line);
        if (!m) throw unparsable(`not a chronyc sources row: ${line}`, out);
        return { mode: m[1], state: m[2], address: m[3], stratum: Number(m[4]), reach: Number(m[6]) };
      });
    return chronySourcesFact.parse({ daemon: 'answered', sources });
  },
});
