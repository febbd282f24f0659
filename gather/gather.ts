import { parseFacts, type HostFacts } from '../facts/host-facts.ts';
import { SNAPSHOT_VERSION, type HostSnapshot } from '../facts/snapshot.ts';
import { bytesOfMiB, type HostSpec, type Lab } from '../inventory/load.ts';
import { labPeers } from '../probes/chrony-accheck.ts';
import { syncSource } from '../probes/chrony-sources.ts';
import type { CommandOutput } from '../probes/probe.ts';
import { buildBundle, frameClock, preamble, splitFrames } from './bundle.ts';
import { KnownHostsFiles } from './known-hosts.ts';
import { localTransport } from './local.ts';
import { TransportError, type RunResult, type Transport } from './transport.ts';

export type GatheredHost = HostSnapshot & { facts: HostFacts };

export interface GatherOptions {
  /** How many hosts are read at once. */
  concurrency: number;
  /** Stamped into every snapshot, so the reports and the facts they were graded from can be matched. */
  runId: string;
  onHostDone?: (host: GatheredHost) => void;
  /** Only these labs' hosts are read (a shard's share); each keeps its position in the whole inventory. */
  share?: readonly Lab[];
}

/** Reads every host of every lab, `concurrency` at a time, one connection and one exec per host. */
export async function gatherLabs(labs: Lab[], options: GatherOptions): Promise<GatheredHost[]> {
  const share = options.share ?? labs;
  const hosts = labs
    .flatMap((lab) => lab.hosts.map((host) => ({ host, lab })))
    .map((entry, position) => ({ ...entry, position }))
    .filter((entry) => share.includes(entry.lab));
  const results = new Array<GatheredHost>(hosts.length);
  const knownHosts = new KnownHostsFiles();
  let next = 0;
  const worker = async () => {
    while (next < hosts.length) {
      const index = next++;
      const { host, lab, position } = hosts[index]!;
      results[index] = await gatherHost(host, lab, { position, runId: options.runId, knownHosts });
      options.onHostDone?.(results[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, hosts.length)) }, worker));
  return results;
}

export async function gatherHost(
  host: HostSpec,
  lab: Lab,
  at: { position: number; runId: string; knownHosts: KnownHostsFiles },
): Promise<GatheredHost> {
  const startedAt = new Date();
  const bundle = buildBundle(
    {
      role: host.role,
      chronySyncWaitSeconds: lab.settings.chronySyncWaitSeconds,
      peers: labPeers(host, lab.hosts),
      syncSource: syncSource(host, lab.hosts),
    },
    bytesOfMiB(host.connection.maxProbeOutputMiB),
  );
  const transport = await transportFor(host, at.knownHosts);
  const base = {
    version: SNAPSHOT_VERSION,
    lab: host.lab,
    labSettings: lab.settings,
    position: at.position,
    runId: at.runId,
    host: {
      name: host.name,
      address: host.address,
      labAddress: host.labAddress,
      role: host.role,
      ...(host.hostname !== undefined ? { hostname: host.hostname } : {}),
    },
    ...(lab.student ? { student: lab.student } : {}),
    transport: transport.description,
    startedAt: startedAt.toISOString(),
    command: bundle.command,
    script: bundle.script,
  } as const;
  const deadline = startedAt.getTime() + host.connection.deadlineSeconds * 1000;
  const clock = frameClock(bundle);
  try {
    const maxOutputBytes = bytesOfMiB(host.connection.maxHostOutputMiB);
    const result = await transport.run(bundle.command, bundle.script, {
      deadline,
      onStdout: clock.feed,
      maxOutputBytes,
    });
    const stdout = result.stdout.toString('utf8');
    const stderr = result.stderr.toString('utf8');
    const outputs = splitFrames(bundle, stdout, stderr);
    const banner = { stdout: preamble(bundle, stdout), stderr: preamble(bundle, stderr) };
    const sessionEnd = describeSessionEnd({
      result,
      outputs,
      preamble: banner,
      elapsedMs: Date.now() - startedAt.getTime(),
      deadlineSeconds: host.connection.deadlineSeconds,
      maxHostOutputMiB: host.connection.maxHostOutputMiB,
    });
    return {
      ...base,
      notes: [
        ...transport.notes,
        ...(result.timedOut
          ? [`deadline of ${host.connection.deadlineSeconds}s passed before every probe finished`]
          : []),
      ],
      durationMs: Date.now() - startedAt.getTime(),
      connectMs: clock.firstByteAfter(startedAt.getTime()),
      connection: { ok: true },
      hostKey: result.hostKey,
      preamble: banner,
      timedOut: result.timedOut,
      sessionEnd,
      outputs: bundle.parts.map((p) => {
        const key = `${p.probe}.${p.part}`;
        return { ...p, ...(outputs.get(key) as CommandOutput), durationMs: clock.durationOf(key) };
      }),
      facts: parseFacts(outputs, sessionEnd),
    };
  } catch (error) {
    const failure = error instanceof TransportError ? error.failure : 'protocol';
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    return {
      ...base,
      notes: transport.notes,
      durationMs: Date.now() - startedAt.getTime(),
      connectMs: null,
      connection: { ok: false, failure, message },
      hostKey: null,
      preamble: { stdout: '', stderr: '' },
      timedOut: false,
      sessionEnd: null,
      outputs: [],
      facts: parseFacts(new Map(), null),
    };
  }
}

/** Replay: the facts of a saved snapshot, parsed again by today's parsers. */
export function refreshFacts(snapshot: HostSnapshot): GatheredHost {
  const outputs = new Map(snapshot.outputs.map((o) => [`${o.probe}.${o.part}`, o] as const));
  return { ...snapshot, facts: parseFacts(outputs, snapshot.sessionEnd ?? null) };
}

/**
 * Why some probes have no end frame, in the words of what happened: the remote shell quit before
 * the script ran (a nologin shell, a ForceCommand), the session closed midway, or the deadline passed.
 * null when every probe finished.
 */
export function describeSessionEnd(seen: {
  result: Pick<RunResult, 'exitCode' | 'timedOut' | 'overflowed'>;
  outputs: ReadonlyMap<string, CommandOutput>;
  preamble: { stdout: string; stderr: string };
  elapsedMs: number;
  deadlineSeconds: number;
  maxHostOutputMiB: number;
}): string | null {
  const parts = [...seen.outputs.values()];
  if (parts.every((o) => o.exitCode !== null)) return null;
  if (seen.result.timedOut) return `the host deadline of ${seen.deadlineSeconds}s passed`;
  if (seen.result.overflowed) {
    return `the host sent more than ${seen.maxHostOutputMiB} MiB in all (maxHostOutputMiB); labspec stopped reading it`;
  }
  // The last part finished, so the script ran to its end: what is missing was lost on the host, not in the session.
  if (parts.at(-1)?.exitCode !== null) {
    const unfinished = [...seen.outputs].filter(([, o]) => o.exitCode === null).map(([key]) => key);
    return `the script ran to its end, but not every part finished whole on the host (${unfinished.join(', ')}: killed, or its head -c failed)`;
  }
  const status = seen.result.exitCode === null ? 'without an exit status' : `with status ${seen.result.exitCode}`;
  const said = firstLine(seen.preamble.stderr) || firstLine(seen.preamble.stdout);
  const quote = said ? `: ${JSON.stringify(said)}` : '';
  if (parts.every((o) => o.exitCode === null && o.stdout === '' && o.stderr === '')) {
    return `the remote shell exited ${status} before running the probes${quote}`;
  }
  return `the SSH session closed ${status} after ${(seen.elapsedMs / 1000).toFixed(1)}s, before every probe finished`;
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line.trim();
}

/** ssh2 is imported on the first SSH host: a run of local hosts (an image build) never loads it. */
async function transportFor(host: HostSpec, knownHosts: KnownHostsFiles): Promise<Transport> {
  const c = host.connection;
  if (c.transport === 'local') return localTransport();
  const { sshTransport } = await import('./ssh.ts');
  return sshTransport(
    {
      name: host.name,
      address: host.address,
      port: c.port,
      user: c.user,
      identityFile: c.identityFile,
      privateKeyEnv: c.privateKeyEnv,
      hostKey: c.hostKey,
      passwordEnv: c.passwordEnv,
      passphraseEnv: c.passphraseEnv,
      knownHostsFile: c.knownHostsFile,
      strictHostKeyChecking: c.strictHostKeyChecking,
      proxyJump: c.proxyJump,
      connectTimeoutMs: c.connectTimeoutSeconds * 1000,
    },
    knownHosts,
  );
}
