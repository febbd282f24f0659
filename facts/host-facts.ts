import { PROBES, type FactOf, type ProbeName } from '../probes/index.ts';
import { UnparsableOutput, type CommandOutput } from '../probes/probe.ts';

export type FactResult<N extends ProbeName> =
  | { ok: true; value: FactOf<N> }
  | { ok: false; reason: string; /** The raw output that could not be read, for the report. */ raw: string };

export type HostFacts = { [N in ProbeName]: FactResult<N> };

/** Runs every probe's parser on its raw outputs. A parser that cannot read its output yields a reason, never a value. */
export function parseFacts(outputs: ReadonlyMap<string, CommandOutput>, sessionEnd: string | null = null): HostFacts {
  const facts = {} as Record<ProbeName, FactResult<ProbeName>>;
  for (const name of Object.keys(PROBES) as ProbeName[]) facts[name] = parseFact(name, outputs, sessionEnd);
  return facts as HostFacts;
}

function parseFact<N extends ProbeName>(
  name: N,
  outputs: ReadonlyMap<string, CommandOutput>,
  sessionEnd: string | null,
): FactResult<N> {
  const probe = PROBES[name];
  const mine: Record<string, CommandOutput> = {};
  for (const [key, output] of outputs) {
    if (key.startsWith(`${name}.`)) mine[key.slice(name.length + 1)] = output;
  }
  // The whole output stays in the snapshot's outputs; the fact keeps only the start of it.
  const raw = head(
    Object.entries(mine)
      .map(
        ([part, o]) =>
          `[${part}] exit ${o.exitCode ?? 'none'}\n${head(o.stdout)}${o.stderr ? `\n[${part} stderr]\n${head(o.stderr)}` : ''}`,
      )
      .join('\n'),
  );
  // A live session records every part of its bundle, finished or not: a probe with no part at all among others'
  // is one the snapshot's labspec did not have.
  if (Object.keys(mine).length === 0 && outputs.size > 0) {
    const reason = `probe ${probe.id} is not in this snapshot, which a labspec without it made; read the host again to judge it`;
    return { ok: false, reason, raw };
  }
  const unfinished = Object.entries(mine).filter(([, o]) => o.exitCode === null);
  if (Object.keys(mine).length === 0 || unfinished.length > 0) {
    const which = unfinished.map(([part]) => part).join(', ') || 'all parts';
    return {
      ok: false,
      reason: `probe ${probe.id} did not finish (${which}): ${sessionEnd ?? 'the host deadline passed or the session broke'}`,
      raw,
    };
  }
  const cut = Object.entries(mine).filter(([, o]) => o.truncated);
  if (cut.length > 0) {
    const parts = cut.map(([part]) => part).join(', ');
    const reason = `probe ${probe.id}: output exceeded the per-probe limit (maxProbeOutputMiB) and was cut on the host (${parts}); not judged on part of it`;
    return { ok: false, reason, raw };
  }
  try {
    return { ok: true, value: probe.schema.parse(probe.parse(mine)) as FactOf<N> };
  } catch (error) {
    const reason =
      error instanceof UnparsableOutput ? error.message : `parser rejected the output: ${firstLine(error)}`;
    return { ok: false, reason: `probe ${probe.id}: ${reason}`, raw };
  }
}

const RAW_KEPT = 64 * 1024;
function head(text: string): string {
  return text.length > RAW_KEPT ? `${text.slice(0, RAW_KEPT)}… (${text.length - RAW_KEPT} more characters)` : text;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
