import { parseFacts } from '../../../facts/host-facts.ts';
import { SNAPSHOT_VERSION } from '../../../facts/snapshot.ts';
import { buildBundle } from '../../../gather/bundle.ts';
import type { GatheredHost } from '../../../gather/gather.ts';
import type { HostIdentity, LabSettings } from '../../../inventory/schema.ts';
import type { ChronyDirective } from '../../../probes/chrony-config.ts';
import { chronyConfigProbe } from '../../../probes/chrony-config.ts';
import { etcHostsProbe, type EtcHostsEntry } from '../../../probes/etc-hosts.ts';
import type { ProbeName } from '../../../probes/index.ts';
import type { CommandOutput, ProbeOptions } from '../../../probes/probe.ts';

import { corpus, grepHnZ, labChronydStartup } from '../probes/fixtures.ts';

export { corpus, grepHnZ, labChronydStartup } from '../probes/fixtures.ts';

/** /etc/chrony.conf with this text, through the real chrony-config parser. */
export function chronyDirectives(text: string, path = '/etc/chrony.conf'): ChronyDirective[] {
  return chronyConfigProbe.parse({ files: grepHnZ({ [path]: text }) }).directives;
}

/** /etc/hosts with this text, through the real etc-hosts parser. */
export function hostsEntries(text: string): EtcHostsEntry[] {
  return etcHostsProbe.parse({ hosts: { stdout: text, stderr: '', exitCode: 0 } }).entries;
}

/** A directive as the parser would produce it, on line `line` of /etc/chrony.conf. */
export function directive(line: number, text: string, file = '/etc/chrony.conf'): ChronyDirective {
  const [keyword, ...args] = text.trim().split(/\s+/);
  return { file, line, keyword: keyword!.toLowerCase(), args };
}

/** Directives from lines of text, numbered from 1. */
export function directives(...lines: string[]): ChronyDirective[] {
  return lines.map((text, i) => directive(i + 1, text));
}

/**
 * Per probe, the commands the real bundle sends a host with these options, joined as the judge
 * records them from a snapshot's outputs (`part1 ; part2`): what `ObservedHost.commands` holds.
 */
export function sentCommands(options: ProbeOptions): Record<ProbeName, string> {
  const commands: Partial<Record<ProbeName, string>> = {};
  for (const { probe, command } of buildBundle(options).parts) {
    commands[probe] = commands[probe] === undefined ? command : `${commands[probe]} ; ${command}`;
  }
  return commands as Record<ProbeName, string>;
}

/** Every probe output captured on a real Debian 12 machine, keyed "probe.part". */
export function debianOutputs(): Record<string, CommandOutput> {
  const capture = JSON.parse(corpus('debian12-this-host', 'probe-outputs.json')) as Record<
    string,
    Record<string, CommandOutput>
  >;
  const outputs: Record<string, CommandOutput> = {};
  for (const [probe, parts] of Object.entries(capture))
    for (const [part, output] of Object.entries(parts)) outputs[`${probe}.${part}`] = output;
  // This machine has no systemd (chrony-startup cannot read how chronyd starts): the lab host's answer stands in.
  return { ...outputs, 'chronyStartup.units': labChronydStartup() };
}

/**
 * A host as gatherHost returns it after a complete session: the real bundle's parts, each recorded
 * with its output from `outputs` ("probe.part"; missing parts printed nothing and exited 0).
 */
export function gatheredHost(
  spec: HostIdentity,
  labSettings: LabSettings,
  outputs: Record<string, CommandOutput>,
  at: { position?: number; runId?: string; startedAt?: string } = {},
): GatheredHost {
  const bundle = buildBundle({ role: spec.role, chronySyncWaitSeconds: labSettings.chronySyncWaitSeconds });
  const recorded = bundle.parts.map((p) => ({
    ...p,
    ...(outputs[`${p.probe}.${p.part}`] ?? { stdout: '', stderr: '', exitCode: 0 }),
    durationMs: 1,
  }));
  return {
    version: SNAPSHOT_VERSION,
    lab: spec.lab,
    labSettings,
    host: { name: spec.name, address: spec.address, labAddress: spec.labAddress, role: spec.role },
    runId: at.runId ?? 'test-run',
    position: at.position ?? 0,
    transport: 'test',
    notes: [],
    startedAt: at.startedAt ?? '2024-01-01T00:00:00.000Z',
    durationMs: 1,
    connectMs: 1,
    connection: { ok: true },
    command: bundle.command,
    script: bundle.script,
    timedOut: false,
    preamble: { stdout: '', stderr: '' },
    outputs: recorded,
    facts: parseFacts(new Map(recorded.map((o) => [`${o.probe}.${o.part}`, o]))),
  };
}
