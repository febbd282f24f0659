import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { z } from 'zod';
import { parseFacts } from '../facts/host-facts.ts';
import { SNAPSHOT_VERSION } from '../facts/snapshot.ts';
import { hostName, role, type HostIdentity, type LabSettings } from '../inventory/schema.ts';
import type { CommandOutput } from '../probes/probe.ts';
import {
  BUNDLE_COMMAND,
  buildBundle,
  incompleteParts,
  MARKER_PATTERN,
  preamble,
  splitFrames,
  type Bundle,
} from './bundle.ts';
import type { GatheredHost } from './gather.ts';

/**
 * The offline path, for hosts where labspec cannot run and cannot be reached from where it runs
 * (a CentOS 7 image in a build pipeline): `labspec bundle` prints a POSIX sh file that runs a live
 * run's script on the host and prints everything to stdout; `labspec grade` reads that capture back
 * into the same snapshot a live run makes.
 *
 * A capture is, on stdout:
 *   [anything the host printed first: login banners, a console's echo]
 *   labspec-capture 1 labspec=… marker=… role=… … started=DATE cksum=CRC SIZE
 *   [the script's stdout, exactly as a live run receives it: its frames]
 *   \n<marker> stderr\n
 *   [the script's stderr, in hex (od), so no byte of it is lost or mixed with stdout]
 *   \n<marker> done DATE\n
 */
export const CAPTURE_FORMAT = 1;
const HEADER_TAG = 'labspec-capture';

/** Larger captures are refused unread: a live run reads at most maxHostOutputMiB (32) per host, and stderr triples in hex. */
export const MAX_CAPTURE_BYTES = 128 * 1024 * 1024;

/** A capture that cannot be used at all (unreadable, no header, a bad header): one line naming the file and why. */
export class CaptureError extends Error {
  override name = 'CaptureError';
}

const UTC_SECOND = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** What `labspec bundle` knew when it made the bundle: enough for `grade` to build the same script again. */
const bundleFields = z.strictObject({
  labspec: z.string().regex(/^[\w.+-]+$/, 'expected a version'),
  marker: z.string().regex(MARKER_PATTERN, 'expected LABSPEC_ and 32 hex digits'),
  role,
  peers: z
    .string()
    .transform((text) => (text === '' ? [] : text.split(',')))
    .pipe(z.array(z.ipv4({ error: 'expected IPv4 addresses separated by commas' }))),
  'sync-source': z.ipv4({ error: 'expected an IPv4 address' }).optional(),
  'chrony-sync-wait': z.coerce.number().pipe(z.int().min(0).max(120)),
  'max-probe-output': z.coerce.number().pipe(z.number().positive()),
  'script-sha256': z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 hex digits'),
  lab: hostName.optional(),
  name: hostName.optional(),
  address: z.ipv4({ error: 'expected an IPv4 address' }).optional(),
  /** Written on the host when the bundle ran. */
  started: z.string().regex(UTC_SECOND, 'expected the UTC time `date -u` printed; was date missing?'),
  cksum: z
    .string()
    .regex(/^\d+ \d+/, 'expected what cksum prints, CRC and size; was cksum missing?')
    .transform((text) => {
      const [crc, size] = text.split(' ').map(Number);
      return { crc: crc!, size: size! };
    }),
});

export interface BundleSettings {
  role: z.infer<typeof role>;
  /** The compute nodes' lab addresses the controller's chronyd is asked about. */
  peers: string[];
  /** A compute node's controller's lab address: the source its chrony wait watches for; none, no wait. */
  syncSource?: string | undefined;
  chronySyncWaitSeconds: number;
  probeOutputLimitBytes: number;
}

/** Who the host is, when the bundle was made from an inventory or given names: grade uses these unless told otherwise. */
export interface BundleIdentity {
  lab?: string;
  name?: string;
  address?: string;
}

export interface CaptureHeader extends BundleSettings, BundleIdentity {
  labspec: string;
  marker: string;
  scriptSha256: string;
  started: string;
  cksum: { crc: number; size: number };
}

/** The live run's script, as built for these settings: the one the bundle carries, and the one grade compares with. */
export function bundleScript(settings: BundleSettings, marker?: string): Bundle {
  return buildBundle(
    {
      role: settings.role,
      chronySyncWaitSeconds: settings.chronySyncWaitSeconds,
      peers: settings.peers,
      ...(settings.syncSource === undefined ? {} : { syncSource: settings.syncSource }),
    },
    settings.probeOutputLimitBytes,
    marker,
  );
}

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/**
 * The file `labspec bundle` prints: a live run's script, run with the live run's command
 * (`env LC_ALL=C /bin/sh -s`, the script on its stdin), wrapped so that everything, stderr included,
 * comes out on stdout. One `{ … }` group: a shell reads all of it before running any of it, so a
 * console's echo of a pasted bundle never lands inside the output.
 */
export function offlineBundle(
  settings: BundleSettings,
  identity: BundleIdentity,
  labspecVersion: string,
  bundle: Bundle = bundleScript(settings),
): string {
  const values: Record<string, string> = {
    labspec: labspecVersion,
    marker: bundle.marker,
    role: settings.role,
    peers: settings.peers.join(','),
    ...(settings.syncSource === undefined ? {} : { 'sync-source': settings.syncSource }),
    'chrony-sync-wait': String(settings.chronySyncWaitSeconds),
    'max-probe-output': String(settings.probeOutputLimitBytes),
    'script-sha256': sha256(bundle.script),
    ...Object.fromEntries(
      (['lab', 'name', 'address'] as const).flatMap((key) => (identity[key] ? [[key, identity[key]]] : [])),
    ),
  };
  // Every value is a validated word (a name, an address, a number, hex): nothing in the header is shell syntax.
  bundleFields.omit({ started: true, cksum: true }).parse(values);
  const fields = [`${HEADER_TAG} ${CAPTURE_FORMAT}`, ...Object.entries(values).map(([k, v]) => `${k}=${v}`)].join(' ');
  const who = [
    `role ${settings.role}`,
    identity.name ? `host ${identity.name}` : null,
    identity.lab ? `lab ${identity.lab}` : null,
    identity.address ? `lab address ${identity.address}` : null,
    settings.peers.length > 0 ? `asking chronyd about ${settings.peers.join(', ')}` : null,
  ].filter((part) => part !== null);
  const date = 'date -u +%Y-%m-%dT%H:%M:%SZ </dev/null';
  return `#!/bin/sh
# labspec bundle: the read-only probes of one lab host, for a host where labspec cannot run (CentOS 7's
# glibc is too old for Node.js). Made by labspec ${labspecVersion} for ${who.join(', ')}.
#
# Run it on the host with sh or bash, as root, and keep its standard output, e.g.
#   ssh root@HOST sh -s < bundle.sh > capture.txt        or, on the host:   sh bundle.sh > capture.txt
# then grade the capture where labspec runs:   labspec grade capture.txt
#
# It runs labspec_script below exactly as \`labspec run\` does over SSH, with \`${BUNDLE_COMMAND}\` and the
# script on its standard input; around it only printf, date, cksum (of the script, so that grade can tell
# it was not edited) and od (the script's stderr in hex, after its stdout). It reads and never writes.
# labspec grade refuses the capture of an edited bundle.
{
labspec_script=${shellQuote(bundle.script)}
printf '%s started=%s cksum=%s\\n' '${fields}' "$(${date})" "$(printf '%s' "$labspec_script" | cksum)"
labspec_stderr=$(printf '%s' "$labspec_script" | ${BUNDLE_COMMAND} 2>&1 >&7 7>&- | od -An -v -tx1)
printf '\\n%s stderr\\n%s\\n%s done %s\\n' ${bundle.marker} "$labspec_stderr" ${bundle.marker} "$(${date})"
} 7>&1
`;
}

/** A capture file read whole: only a regular file, only up to MAX_CAPTURE_BYTES. */
export function readCaptureFile(file: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const stat = fstatSync(fd);
    if (!stat.isFile())
      throw new CaptureError(`${file}: not a regular file; give the file the bundle's output went to`);
    if (stat.size > MAX_CAPTURE_BYTES) {
      throw new CaptureError(`${file}: ${stat.size} bytes, larger than a capture can be (${MAX_CAPTURE_BYTES})`);
    }
    const buffer = Buffer.alloc(Math.min(stat.size, MAX_CAPTURE_BYTES) + 1);
    let length = 0;
    for (let n; length < buffer.length && (n = readSync(fd, buffer, length, buffer.length - length, null)) > 0;)
      length += n;
    if (length > MAX_CAPTURE_BYTES) throw new CaptureError(`${file}: larger than ${MAX_CAPTURE_BYTES} bytes`);
    return buffer.toString('utf8', 0, length);
  } catch (error) {
    if (error instanceof CaptureError) throw error;
    throw new CaptureError(
      `${file}: cannot read the capture (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A capture split at its header: who made it, and the output after it. */
export interface Capture {
  file: string;
  header: CaptureHeader;
  /** What came before the header: a login banner, shell start-up files, a console's echo. */
  before: string;
  /** Everything after the header line; a terminal's \r\n already turned back into \n. */
  body: string;
  /** The header's line number in the file, for messages. */
  headerLine: number;
  /** The capture went through a terminal (a serial console, `ssh -t`), which ends every line with \r\n. */
  throughTerminal: boolean;
}

/**
 * Finds and reads the header: the first line starting `labspec-capture ` (later ones are inside the
 * probes' output). Throws CaptureError when there is none or it is not one labspec wrote.
 */
export function parseCapture(text: string, file: string): Capture {
  const found = /(^|\n)labspec-capture /.exec(text);
  if (!found) {
    const what = text.trim() === '' ? 'empty' : 'no "labspec-capture" header line';
    throw new CaptureError(`${file}: ${what}: not the output of a labspec bundle, or cut before it began`);
  }
  const start = found.index + found[1]!.length;
  const headerLine = lineNumber(text, start);
  const where = `${file}:${headerLine}`;
  const newline = text.indexOf('\n', start);
  if (newline < 0) throw new CaptureError(`${where}: the capture ends inside its header line`);
  const throughTerminal = text[newline - 1] === '\r';
  const line = text.slice(start, throughTerminal ? newline - 1 : newline);
  const [, format, rest] = /^labspec-capture (\S+) (.*)$/.exec(line) ?? [];
  if (format !== String(CAPTURE_FORMAT)) {
    throw new CaptureError(
      `${where}: capture format ${JSON.stringify(format ?? '')}; this labspec reads format ${CAPTURE_FORMAT}: grade it with the labspec that made the bundle`,
    );
  }
  const parsed = bundleFields.safeParse(headerFields(rest ?? ''));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path[0];
    const what = issue.code === 'unrecognized_keys' ? 'a field this labspec does not know' : issue.message;
    throw new CaptureError(`${where}: header field ${String(key)}: ${what}`);
  }
  const f = parsed.data;
  const body = text.slice(newline + 1);
  return {
    file,
    header: {
      labspec: f.labspec,
      marker: f.marker,
      role: f.role,
      peers: f.peers,
      ...(f['sync-source'] === undefined ? {} : { syncSource: f['sync-source'] }),
      chronySyncWaitSeconds: f['chrony-sync-wait'],
      probeOutputLimitBytes: f['max-probe-output'],
      scriptSha256: f['script-sha256'],
      ...(f.lab ? { lab: f.lab } : {}),
      ...(f.name ? { name: f.name } : {}),
      ...(f.address ? { address: f.address } : {}),
      started: f.started,
      cksum: f.cksum,
    },
    before: text.slice(0, start),
    body: throughTerminal ? body.replaceAll('\r\n', '\n') : body,
    headerLine,
    throughTerminal,
  };
}

/** `key=value` words; `cksum=` is last and takes the rest of the line (cksum prints `CRC SIZE`). */
function headerFields(text: string): Record<string, string> {
  const cksumAt = text.indexOf(' cksum=');
  const words = (cksumAt < 0 ? text : text.slice(0, cksumAt)).split(' ').filter((w) => w !== '');
  const fields: Record<string, string> = {};
  for (const word of words) {
    const eq = word.indexOf('=');
    fields[eq < 0 ? word : word.slice(0, eq)] = eq < 0 ? '' : word.slice(eq + 1);
  }
  if (cksumAt >= 0) fields.cksum = text.slice(cksumAt + ' cksum='.length);
  return fields;
}

/** A capture whose output is whole and matches its bundle, split into the script's streams. */
export interface VerifiedCapture {
  bundle: Bundle;
  stdout: string;
  stderr: string;
  ended: string | null;
  /** Whatever followed the done line (a console's prompt): ignored. */
  trailing: string;
}

/**
 * Checks that the output is the whole output of the bundle the header describes: the script that
 * ran is the one labspec builds (cksum), every part has its frames, nothing was cut or added.
 * Returns the reason in one line when it is not; such a capture is never graded.
 */
export function verifyCapture(capture: Capture): VerifiedCapture | { problem: string } {
  const { header, body, file } = capture;
  const problem = (reason: string) => ({ problem: `${file}: ${reason}` });
  const bundle = bundleScript(header, header.marker);
  if (sha256(bundle.script) !== header.scriptSha256) {
    return problem(
      `the bundle was made by labspec ${header.labspec}, whose probe script differs from this labspec's for the same settings; grade it with labspec ${header.labspec}, or make the bundle again with this one`,
    );
  }
  const ran = posixCksum(Buffer.from(bundle.script, 'utf8'));
  if (ran.crc !== header.cksum.crc || ran.size !== header.cksum.size) {
    return problem(
      `the script that ran on the host is not the bundle's (cksum ${header.cksum.crc} ${header.cksum.size}, the bundle's is ${ran.crc} ${ran.size}): the bundle was edited after labspec printed it`,
    );
  }
  const marker = header.marker;
  const stderrAt = body.indexOf(`\n${marker} stderr\n`);
  const stdout = stderrAt < 0 ? body : body.slice(0, stderrAt);
  if (!stdout.includes(`\n${marker} begin `)) {
    const other = /\n(LABSPEC_[0-9a-f]{32}) begin /.exec(stdout)?.[1];
    if (other) {
      return problem(
        `the output is framed with marker ${other}, the header (line ${capture.headerLine}) says ${marker}: the header and the output come from different bundles`,
      );
    }
  }
  if (stderrAt < 0) {
    const cut = incompleteParts(bundle, stdout, '').find((p) => p.missing.includes('stdout'));
    const where = `the capture ends at line ${capture.headerLine + lineNumber(body, body.length)}`;
    return problem(
      cut
        ? `truncated: part ${cut.key} is missing ${cut.missing}, and no stderr section follows (${where})`
        : `truncated: no stderr section after the probes' output (${where})`,
    );
  }
  const stderrStart = stderrAt + `\n${marker} stderr\n`.length;
  const doneAt = body.indexOf(`\n${marker} done`, stderrStart - 1);
  if (doneAt < 0) return problem(`truncated: the stderr section has no end (no "${marker} done" line)`);
  const hex = body.slice(stderrStart, doneAt);
  if (!/^[0-9a-f\s]*$/.test(hex) || hex.replace(/\s/g, '').length % 2 !== 0) {
    return problem(`the stderr section is not od's hex dump: edited, or od is missing on the host`);
  }
  const stderr = Buffer.from(hex.replace(/\s/g, ''), 'hex').toString('utf8');
  const doneLineEnd = body.indexOf('\n', doneAt + 1);
  const doneLine = body.slice(doneAt + 1, doneLineEnd < 0 ? body.length : doneLineEnd);
  const ended = /^\S+ done (\S+)$/.exec(doneLine)?.[1] ?? null;
  const incomplete = incompleteParts(bundle, stdout, stderr);
  if (incomplete.length > 0) {
    const { key, missing } = incomplete[0]!;
    const more = incomplete.length > 1 ? ` (and ${incomplete.length - 1} more part(s))` : '';
    return problem(`part ${key} is missing ${missing}${more}: the capture was cut or edited`);
  }
  for (const [stream, text] of [
    ['stdout', stdout],
    ['stderr', stderr],
  ] as const) {
    const begins = text.split(`\n${marker} begin `).length - 1;
    if (begins !== bundle.parts.length) {
      return problem(`${begins} parts on ${stream}, the bundle has ${bundle.parts.length}: the capture was edited`);
    }
  }
  return {
    bundle,
    stdout,
    stderr,
    ended: ended !== null && UTC_SECOND.test(ended) ? ended : null,
    trailing: doneLineEnd < 0 ? '' : body.slice(doneLineEnd + 1),
  };
}

/** The host as the capture shows it, as a snapshot a live run would have made of it; a capture that fails verification is a host that could not be read. */
export function snapshotFromCapture(
  capture: Capture,
  at: { host: HostIdentity; labSettings: LabSettings; position: number; runId: string },
): GatheredHost {
  const { header } = capture;
  const verified = verifyCapture(capture);
  const bundle = 'problem' in verified ? bundleScript(header, header.marker) : verified.bundle;
  const startedAt = new Date(header.started);
  const base = {
    version: SNAPSHOT_VERSION,
    lab: at.host.lab,
    labSettings: at.labSettings,
    position: at.position,
    runId: at.runId,
    host: {
      name: at.host.name,
      address: at.host.address,
      labAddress: at.host.labAddress,
      role: at.host.role,
      ...(at.host.hostname !== undefined ? { hostname: at.host.hostname } : {}),
    },
    transport: `capture ${capture.file}`,
    startedAt: startedAt.toISOString(),
    connectMs: null,
    hostKey: null,
    command: bundle.command,
    script: bundle.script,
    timedOut: false,
  } as const;
  const terminal = capture.throughTerminal
    ? ['the capture went through a terminal: its \\r\\n line ends were turned back into \\n']
    : [];
  if ('problem' in verified) {
    return {
      ...base,
      notes: terminal,
      durationMs: 0,
      connection: { ok: false, failure: 'capture', message: verified.problem },
      preamble: { stdout: capture.before, stderr: '' },
      sessionEnd: null,
      outputs: [],
      facts: parseFacts(new Map(), null),
    };
  }
  const outputs = splitFrames(bundle, verified.stdout, verified.stderr);
  const ended = verified.ended === null ? null : new Date(verified.ended).getTime();
  return {
    ...base,
    notes: [
      ...terminal,
      ...(verified.trailing.trim() !== ''
        ? [`${verified.trailing.length} characters after the capture's end were ignored`]
        : []),
    ],
    durationMs: ended === null ? 0 : Math.max(0, ended - startedAt.getTime()),
    connection: { ok: true },
    preamble: { stdout: capture.before + preamble(bundle, verified.stdout), stderr: preamble(bundle, verified.stderr) },
    sessionEnd: null,
    // A capture has no clock per probe: the host printed it all before labspec saw any of it.
    outputs: bundle.parts.map((p) => ({
      ...p,
      ...(outputs.get(`${p.probe}.${p.part}`) as CommandOutput),
      durationMs: null,
    })),
    facts: parseFacts(outputs, null),
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function lineNumber(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n << 24;
  for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
  return c >>> 0;
});

/** What POSIX `cksum` prints for these bytes: its CRC (the data, then the length's bytes, complemented) and the size. */
export function posixCksum(data: Buffer): { crc: number; size: number } {
  let crc = 0;
  const step = (byte: number) => {
    crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  };
  for (const byte of data) step(byte);
  for (let length = data.length; length > 0; length = Math.floor(length / 256)) step(length & 0xff);
  return { crc: ~crc >>> 0, size: data.length };
}
