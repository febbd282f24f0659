import { z } from 'zod';
import { IPV4 } from './chrony-accheck.ts';
import { COMMAND_NOT_FOUND, defineProbe, type ProbeOptions } from './probe.ts';
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

/**
 * Waiting on a compute node for chronyd to select its controller is worth it only while chronyd is young: past
 * this many seconds of running without a selected source, it is not about to select one.
 */
export const CHRONYD_SETTLING_SECONDS = 120;
/**
 * chronyd sends its first request at start and (iburst) the next ones two seconds apart: an answer from a
 * controller that serves it has come by then. None yet, and the next requests are as likely to go unanswered.
 */
export const CHRONYD_FIRST_ANSWER_SECONDS = 4;

/** Why the compute node stopped waiting for chronyd to select a source, or never began. */
export const WAIT_STOPS = [
  'selected', // a source is selected
  'inactive', // systemd says chronyd.service is not active
  'unanswered', // chronyc printed no sources table: chronyc missing, or chronyd not answering
  'unlisted', // the controller's lab address is not among chronyd's sources
  'unknown-start', // systemd did not say when chronyd became active
  'settled', // chronyd has run CHRONYD_SETTLING_SECONDS without selecting a source
  'no-reply', // the controller has not answered chronyd since it started (reach 0 after its first requests)
  'timeout', // chronySyncWaitSeconds passed
] as const;

export const chronyWait = z.object({
  /** Seconds waited on the host before the final `chronyc -n sources`. */
  waitedSeconds: z.int().nonnegative(),
  stop: z.enum(WAIT_STOPS),
  /** systemd's ActiveState of chronyd.service; null when systemctl printed none. */
  activeState: z.string().nullable(),
  /** How long chronyd had been active when the waiting ended; null when not known. */
  activeSeconds: z.int().nullable(),
});
export type ChronyWait = z.infer<typeof chronyWait>;

export const chronySourcesFact = z.discriminatedUnion('daemon', [
  z.object({ daemon: z.literal('answered'), sources: z.array(chronySource), wait: chronyWait.optional() }),
  /** chronyc ran but could not talk to chronyd ("506 Cannot talk to daemon"), or chronyc is missing. */
  z.object({ daemon: z.literal('unreachable'), message: z.string(), wait: chronyWait.optional() }),
]);

/**
 * The source a compute node waits for: its lab's controller's lab address (`chronyc -n` shows addresses), checked
 * again to be a dotted-quad IPv4 address since it goes into a shell command; undefined on a controller, or when the
 * lab has no controller.
 */
export function syncSource(
  host: { role: 'controller' | 'compute' },
  labHosts: ReadonlyArray<{ role: 'controller' | 'compute'; labAddress: string }>,
): string | undefined {
  if (host.role !== 'compute') return undefined;
  const address = labHosts.find((h) => h.role === 'controller')?.labAddress;
  return address !== undefined && IPV4.test(address) ? address : undefined;
}

/**
 * The compute node's wait, on the host: every second, `chronyc -n sources` until a source is selected, but only
 * while waiting can still change what chrony.source sees. It reads chronyd's state and start time once
 * (`systemctl show`, its ActiveEnterTimestampMonotonic against /proc/uptime), and stops — or never starts — when
 * chronyd is not active, gives no sources table, does not list the controller, has run CHRONYD_SETTLING_SECONDS,
 * or has had no answer from the controller (reach 0) CHRONYD_FIRST_ANSWER_SECONDS after it started. It prints
 * what systemd said, the uptime, how long it waited and why it stopped, as `key=value` lines.
 *
 * The inner block exits 0 when a source is selected, 2 when the controller is listed and has answered, 3 when
 * it is listed with reach 0, 4 when chronyd answered without it, 5 when there was no sources table.
 */
function waitScript(maxSeconds: number, controller: string): string {
  if (!IPV4.test(controller)) throw new Error(`chrony-sources: not an IPv4 address: ${JSON.stringify(controller)}`);
  return [
    'systemctl show -p ActiveState,ActiveEnterTimestampMonotonic chronyd.service 2>/dev/null | { s=; t=; while IFS== read -r k v; do printf \'%s=%s\\n\' "$k" "$v"; case $k in ActiveState) s=$v;; ActiveEnterTimestampMonotonic) t=$v;; esac; done; i=0; while :; do read -r u x </proc/uptime;',
    `chronyc -n sources 2>/dev/null | { c=5; while read -r m a x y r z; do case $m in ?\\*) exit 0;; =====*) c=4;; esac; if [ "$a" = ${controller} ]; then if [ "$r" = 0 ]; then c=3; else c=2; fi; fi; done; exit $c; }; c=$?;`,
    "g=; case $t in ''|0|*[!0-9]*) ;; *) case $u in [0-9]*) g=$(( ${u%%.*} - t / 1000000 ));; esac;; esac;",
    `if [ $c = 0 ]; then w=selected; elif [ "$s" != active ]; then w=inactive; elif [ $c = 5 ]; then w=unanswered; elif [ $c = 4 ]; then w=unlisted; elif [ -z "$g" ]; then w=unknown-start; elif [ $g -ge ${CHRONYD_SETTLING_SECONDS} ]; then w=settled; elif [ $c = 3 ] && [ $g -ge ${CHRONYD_FIRST_ANSWER_SECONDS} ]; then w=no-reply; elif [ $i -ge ${maxSeconds} ]; then w=timeout; else sleep 1; i=$((i+1)); continue; fi;`,
    'printf \'uptime=%s\\nwaited=%s\\nstop=%s\\n\' "$u" $i $w; break; done; }',
  ].join(' ');
}

export const chronySourcesProbe = defineProbe({
  id: 'chrony-sources',
  description:
    "chrony's time sources and which one is selected (`chronyc -n sources`). On a compute node it first waits, up to chronySyncWaitSeconds, for chronyd to select a source, but only while waiting can change the answer: chronyd active, started less than 120 s before, listing the controller, and (after its first 4 s) hearing from it.",
  example:
    '{ daemon: "answered", sources: [{ mode: "^", state: "*", address: "10.0.0.100", stratum: 11, reach: 377 }] }',
  commands: ({ role, chronySyncWaitSeconds, syncSource }: ProbeOptions): Record<string, string> =>
    role === 'compute' && chronySyncWaitSeconds > 0 && syncSource !== undefined
      ? { wait: waitScript(Math.trunc(chronySyncWaitSeconds), syncSource), sources: 'chronyc -n sources' }
      : { sources: 'chronyc -n sources' },
  schema: chronySourcesFact,
  /**
   * chronyc missing (127) or "506 Cannot talk to daemon" (stdout, exit 1) → unreachable. Otherwise
   * (exit 0) everything up to the "=====" rule is skipped (optional "210 Number of sources" line, -v
   * legend), but the line just above the rule must be the sources column header, so `sourcestats` or
   * other tables are rejected. Each row after the rule must be a sources row; reach is kept as printed
   * (octal digits, e.g. 377). Zero rows is a valid empty list; the "210" count is not checked (it
   * can differ from the rows in trimmed copies). The compute node's wait, when one was sent, is read
   * by parseWait.
   */
  parse(outputs) {
    const wait = outputs.wait === undefined ? {} : { wait: parseWait(partOf(outputs, 'wait')) };
    const out = partOf(outputs, 'sources');
    if (out.exitCode === COMMAND_NOT_FOUND) {
      return chronySourcesFact.parse({
        daemon: 'unreachable',
        message: out.stderr.trim() || 'chronyc: command not found',
        ...wait,
      });
    }
    const lines = splitLines(out.stdout);
    if (out.exitCode !== 0) {
      const refusal = lines.find((l) => /^506 Cannot talk to daemon\s*$/.test(l));
      if (out.exitCode === 1 && refusal !== undefined)
        return chronySourcesFact.parse({ daemon: 'unreachable', message: refusal.trim(), ...wait });
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
    return chronySourcesFact.parse({ daemon: 'answered', sources, ...wait });
  },
});

/**
 * The wait's `key=value` lines: what `systemctl show` printed (ActiveState, ActiveEnterTimestampMonotonic, both
 * optional), then uptime (/proc/uptime's first field), waited and stop, exactly once each. Anything else is
 * Unparsable. How long chronyd had been active is worked out here again from systemd's and the kernel's numbers.
 */
function parseWait(out: { stdout: string; stderr: string; exitCode: number }): ChronyWait {
  if (out.exitCode !== 0) throw unparsable(`the wait exited ${out.exitCode}`, out);
  const seen = new Map<string, string>();
  for (const line of splitLines(out.stdout)) {
    const m = /^(ActiveState|ActiveEnterTimestampMonotonic|uptime|waited|stop)=(.*)$/.exec(line);
    if (!m || seen.has(m[1]!)) throw unparsable(`not a line of the wait: ${line}`, out);
    seen.set(m[1]!, m[2]!);
  }
  const waited = seen.get('waited') ?? '';
  const stop = WAIT_STOPS.find((s) => s === seen.get('stop'));
  if (!/^\d+$/.test(waited) || stop === undefined)
    throw unparsable('the wait did not say how long and why it ended', out);
  const activeState = seen.get('ActiveState') ?? null;
  const since = seen.get('ActiveEnterTimestampMonotonic') ?? '';
  const uptime = /^(\d+)(\.\d+)?$/.exec(seen.get('uptime') ?? '');
  const activeSeconds =
    activeState === 'active' && /^[1-9]\d*$/.test(since) && uptime
      ? Number(uptime[1]) - Math.floor(Number(since) / 1e6)
      : null;
  return { waitedSeconds: Number(waited), stop, activeState, activeSeconds };
}
