import { randomBytes } from 'node:crypto';
import { PROBES, type ProbeName } from '../probes/index.ts';
import type { CommandOutput, ProbeOptions } from '../probes/probe.ts';

export interface BundlePart {
  probe: ProbeName;
  part: string;
  command: string;
}

export interface Bundle {
  /** Sent as the remote command; the script arrives on its standard input. */
  command: string;
  script: string;
  marker: string;
  parts: BundlePart[];
  /** Each file part's stdout is cut on the host past this many bytes. */
  probeOutputLimitBytes: number;
}

/** The remote command: a POSIX shell reading the script from stdin, whatever the login shell (csh and fish included). */
export const BUNDLE_COMMAND = 'env LC_ALL=C /bin/sh -s';

/** A frame marker, drawn fresh for each run (and each offline bundle). */
export function newMarker(): string {
  return `LABSPEC_${randomBytes(16).toString('hex')}`;
}

/** What a marker looks like: `grade` reads one back from a capture's header. */
export const MARKER_PATTERN = /^LABSPEC_[0-9a-f]{32}$/;

/**
 * One script for all probes, so a host costs one exec. Every part is framed on stdout and on
 * stderr by a marker drawn fresh for each run: output cannot forge a frame it cannot predict.
 * `marker` is given only to build again the script an offline bundle ran (gather/capture.ts).
 */
export function buildBundle(
  options: ProbeOptions,
  probeOutputLimitBytes: number = DEFAULT_PROBE_OUTPUT_LIMIT,
  marker: string = newMarker(),
): Bundle {
  const parts = (Object.keys(PROBES) as ProbeName[]).flatMap((probe) =>
    Object.entries(PROBES[probe].commands(options)).map(([part, command]) => ({ probe, part, command })),
  );
  const lines = [
    'LC_ALL=C; export LC_ALL',
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH; export PATH',
    ...parts.flatMap(({ probe, part, command }) => {
      const key = `${probe}.${part}`;
      // stdin is the script itself: no probe may read it. The exit status ends the part's stderr frame, written
      // once the command has finished. A file's content goes through head, which cuts it one byte past the limit
      // (so the runner can tell a cut from an exact fit): a subshell and head for those parts, nothing for the others.
      // head's own status ends the stdout frame of a file part: a head that failed passed on part of the file, or none.
      const ended = `printf '\\n%s end %s %s\\n' ${marker} ${key} $? >&2`;
      return [
        `printf '\\n%s begin %s\\n' ${marker} ${key}; printf '\\n%s begin %s\\n' ${marker} ${key} >&2`,
        ...(isFilePart(probe, part)
          ? [
              `{ { ${command}\n} </dev/null; ${ended}; } | head -c ${probeOutputLimitBytes + 1}`,
              `printf '\\n%s end %s %s\\n' ${marker} ${key} $?`,
            ]
          : [`{ ${command}\n} </dev/null; ${ended}`, `printf '\\n%s end %s\\n' ${marker} ${key}`]),
      ];
    }),
  ];
  return { command: BUNDLE_COMMAND, script: `${lines.join('\n')}\n`, marker, parts, probeOutputLimitBytes };
}

/** Whether the part prints files, cut on the host at the per-probe limit (the probe's fileParts). */
export function isFilePart(probe: ProbeName, part: string): boolean {
  return PROBES[probe].fileParts?.includes(part) ?? false;
}

/** How much of an output cut at the limit is kept for the record. */
const KEPT_OF_CUT_OUTPUT = 64 * 1024;

/** Output kept per probe unless the inventory says otherwise (`maxProbeOutputMiB`). */
export const DEFAULT_PROBE_OUTPUT_LIMIT = 8 * 1024 * 1024;

/**
 * Cuts the framed streams back into one output per part. The exit status ends the part's stderr frame; a part
 * whose stdout or stderr end frame never came, or whose head failed, did not finish: exitCode null.
 */
export function splitFrames(
  bundle: Pick<Bundle, 'marker' | 'parts' | 'probeOutputLimitBytes'>,
  stdout: string,
  stderr: string,
): Map<string, CommandOutput> {
  const outputs = new Map<string, CommandOutput>();
  const out = frames(stdout, bundle, 'stdout');
  const err = frames(stderr, bundle, 'stderr');
  for (const [i, { probe, part }] of bundle.parts.entries()) {
    const body = out[i]?.body ?? '';
    const truncated = isFilePart(probe, part) && Buffer.byteLength(body) > bundle.probeOutputLimitBytes;
    outputs.set(`${probe}.${part}`, {
      // A cut output is never judged: its start is enough for the record, and keeps snapshots and memory small.
      stdout: truncated ? body.slice(0, KEPT_OF_CUT_OUTPUT) : body,
      stderr: err[i]?.body ?? '',
      exitCode: passedOn(out[i] ?? null) ? (err[i]?.status ?? null) : null,
      ...(truncated ? { truncated } : {}),
    });
  }
  return outputs;
}

/** The parts whose frames are not all there: a begin or an end missing on stdout, or on stderr (whose end holds the status). */
export function incompleteParts(
  bundle: Pick<Bundle, 'marker' | 'parts'>,
  stdout: string,
  stderr: string,
): Array<{ key: string; missing: string }> {
  const incomplete: Array<{ key: string; missing: string }> = [];
  const outs = frames(stdout, bundle, 'stdout');
  const errs = frames(stderr, bundle, 'stderr');
  for (const [i, { probe, part }] of bundle.parts.entries()) {
    const out = outs[i] ?? null;
    const err = errs[i] ?? null;
    const missing =
      out === null
        ? 'its stdout frame'
        : !out.ended
          ? 'the end of its stdout frame'
          : !passedOn(out)
            ? `its whole stdout (head exited ${out.status} on the host)`
            : err === null
              ? 'its stderr frame'
              : !err.ended
                ? 'the end of its stderr frame'
                : null;
    if (missing !== null) incomplete.push({ key: `${probe}.${part}`, missing });
  }
  return incomplete;
}

/** What the host printed before the first frame: login banners, shell start-up files. Kept for the record, never parsed. */
export function preamble(bundle: Pick<Bundle, 'marker'>, text: string): string {
  const first = text.indexOf(`\n${bundle.marker} begin `);
  return first < 0 ? text : text.slice(0, first);
}

interface Frame {
  body: string;
  ended: boolean;
  /** What the end line says: on stderr the command's exit status, on a file part's stdout head's. */
  status: number | null;
}

/** Whether the part's stdout came through whole: its frame ended, and a file part's head did not fail. */
function passedOn(out: Frame | null): boolean {
  return out !== null && out.ended && (out.status === null || out.status === 0);
}

/**
 * Each part's frame in one stream, null for a part that never began. The parts run in the bundle's order and no
 * output can forge the run's marker, so each frame is looked for after the previous one: one pass over the text.
 * A part without its end (killed on the host) has the text up to the next part's begin as its body, and the next
 * parts are looked for after its begin: the script may have gone on.
 * An end line must be whole (`… end KEY STATUS\n` on stderr and on a file part's stdout, `… end KEY\n` on the
 * other parts' stdout) to end its part.
 */
function frames(text: string, bundle: Pick<Bundle, 'marker' | 'parts'>, stream: 'stdout' | 'stderr'): (Frame | null)[] {
  let from = 0;
  return bundle.parts.map(({ probe, part }) => {
    const key = `${probe}.${part}`;
    const withStatus = stream === 'stderr' || isFilePart(probe, part);
    const begin = `\n${bundle.marker} begin ${key}\n`;
    const start = text.indexOf(begin, from);
    if (start < 0) return null;
    const bodyStart = start + begin.length;
    const endTag = `\n${bundle.marker} end ${key}${withStatus ? ' ' : '\n'}`;
    for (let end = text.indexOf(endTag, bodyStart); end >= 0; end = text.indexOf(endTag, end + 1)) {
      const afterTag = end + endTag.length;
      if (!withStatus) {
        from = afterTag;
        return { body: text.slice(bodyStart, end), ended: true, status: null };
      }
      const status = /^(\d+)\n/.exec(text.slice(afterTag, afterTag + 12));
      if (status) {
        from = afterTag + status[0].length;
        return { body: text.slice(bodyStart, end), ended: true, status: Number(status[1]) };
      }
    }
    from = bodyStart;
    const next = text.indexOf(`\n${bundle.marker} begin `, bodyStart);
    return { body: text.slice(bodyStart, next < 0 ? text.length : next), ended: false, status: null };
  });
}

/**
 * Times each part by when its end frame reaches the runner: no extra command on the host. The
 * first part is timed from the first byte of output, so connecting is not counted against it.
 */
export function frameClock(bundle: Pick<Bundle, 'marker'>, now: () => number = Date.now) {
  const endTag = `${bundle.marker} end `;
  let text = '';
  let searchFrom = 0;
  let firstByteAt: number | null = null;
  let lastEndAt: number | null = null;
  const durations = new Map<string, number>();
  return {
    feed(chunk: Buffer): void {
      const at = now();
      firstByteAt ??= at;
      text += chunk.toString('latin1');
      for (;;) {
        const found = text.indexOf(endTag, searchFrom);
        if (found < 0) {
          searchFrom = Math.max(searchFrom, text.length - endTag.length);
          break;
        }
        const lineEnd = text.indexOf('\n', found);
        if (lineEnd < 0) {
          searchFrom = found;
          break;
        }
        const key = text.slice(found + endTag.length, lineEnd).split(' ')[0]!;
        durations.set(key, at - (lastEndAt ?? firstByteAt));
        lastEndAt = at;
        searchFrom = lineEnd;
      }
      // Scanned output is not needed again; what is kept may hold the start of a frame line.
      text = text.slice(searchFrom);
      searchFrom = 0;
    },
    /** Milliseconds from the start of the run to the first byte of output; null when none came. */
    firstByteAfter(startedAt: number): number | null {
      return firstByteAt === null ? null : firstByteAt - startedAt;
    },
    durationOf(key: string): number | null {
      return durations.get(key) ?? null;
    },
  };
}
