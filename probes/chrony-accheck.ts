import { z } from 'zod';
import { defineProbe, type ProbeOptions } from './probe.ts';
import { partOf, splitLines, unparsable } from './text.ts';

export const accheckAnswer = z.discriminatedUnion('answer', [
  /** "208 Access allowed": the running chronyd serves NTP to this address now. */
  z.object({ address: z.string(), answer: z.literal('allowed') }),
  /** "209 Access denied". */
  z.object({ address: z.string(), answer: z.literal('denied') }),
  /** chronyd could not be asked: not root ("501 Not authorised"), not running (506), chronyc missing. */
  z.object({ address: z.string(), answer: z.literal('unavailable'), message: z.string() }),
]);
export type AccheckAnswer = z.infer<typeof accheckAnswer>;

export const chronyAccheckFact = z.object({
  /** One answer per peer address asked about, in the order asked; empty when there was none to ask about. */
  answers: z.array(accheckAnswer),
});

/** Dotted-quad IPv4 only: these words go into a shell command. */
export const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** The peers to ask about, refusing anything that is not a plain IPv4 address. */
export function accheckPeers(options: Pick<ProbeOptions, 'peers'>): string[] {
  const peers = options.peers ?? [];
  for (const peer of peers)
    if (!IPV4.test(peer)) throw new Error(`chrony-accheck: not an IPv4 address: ${JSON.stringify(peer)}`);
  return [...peers];
}

/**
 * The peers a host's bundle asks chronyd about: on a controller, the lab addresses of its lab's
 * compute nodes that are dotted-quad IPv4 addresses (a name or an IPv6 address is not asked about);
 * none on a compute node.
 */
export function labPeers(
  host: { role: 'controller' | 'compute' },
  labHosts: ReadonlyArray<{ role: 'controller' | 'compute'; labAddress: string }>,
): string[] {
  if (host.role !== 'controller') return [];
  return labHosts.filter((h) => h.role === 'compute' && IPV4.test(h.labAddress)).map((h) => h.labAddress);
}

export const chronyAccheckProbe = defineProbe({
  id: 'chrony-accheck',
  description:
    "What the running chronyd answers to `chronyc accheck ADDRESS` for each compute node's lab address (controller only): its NTP access rules as they apply now, which may differ from chrony.conf until chronyd is restarted.",
  example: '{ answers: [{ address: "10.0.0.101", answer: "allowed" }] }',
  commands: (options) => ({
    accheck: `for a in ${accheckPeers(options).join(' ')}; do printf 'accheck %s\\n' "$a"; chronyc accheck "$a" 2>&1; printf 'exit %s\\n' $?; done`,
  }),
  schema: chronyAccheckFact,
  /**
   * Per address: "accheck ADDRESS", chronyc's output (stderr merged), "exit N". chronyc prints
   * "208 Access allowed" / "209 Access denied" and exits 0 (chrony 3.4 to 4.x, client.c); answers
   * that mean chronyd could not be asked — "501 Not authorised" (not root: accheck needs the Unix
   * socket), "506 Cannot talk to daemon", chronyc missing (exit 127) — are `unavailable`. Anything
   * else is Unparsable: an answer labspec does not understand is never taken as one.
   */
  parse(outputs) {
    const out = partOf(outputs, 'accheck');
    if (out.exitCode !== 0 || out.stderr !== '') throw unparsable(`the accheck loop exited ${out.exitCode}`, out);
    const answers: AccheckAnswer[] = [];
    const lines = splitLines(out.stdout);
    let i = 0;
    while (i < lines.length) {
      const head = /^accheck (\S+)$/.exec(lines[i]!);
      if (!head || !IPV4.test(head[1]!)) throw unparsable(`expected "accheck ADDRESS": ${lines[i]}`, out);
      const address = head[1]!;
      const end = lines.findIndex((l, j) => j > i && /^exit \d+$/.test(l));
      if (end < 0) throw unparsable(`no exit status for ${address}`, out);
      const said = lines.slice(i + 1, end).map((l) => l.trimEnd());
      const exit = Number(lines[end]!.slice('exit '.length));
      i = end + 1;
      const only = said.length === 1 ? said[0]! : null;
      if (exit === 0 && only === '208 Access allowed') answers.push({ address, answer: 'allowed' });
      else if (exit === 0 && only === '209 Access denied') answers.push({ address, answer: 'denied' });
      else if (exit === 1 && (only === '501 Not authorised' || only === '506 Cannot talk to daemon'))
        answers.push({ address, answer: 'unavailable', message: only });
      else if (exit === 127)
        answers.push({ address, answer: 'unavailable', message: only ?? 'chronyc: command not found' });
      else
        throw unparsable(`chronyc accheck ${address} exited ${exit} saying: ${said.join(' / ') || '(nothing)'}`, out);
    }
    return chronyAccheckFact.parse({ answers });
  },
});
