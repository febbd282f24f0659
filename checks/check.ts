import type { FactResult, HostFacts } from '../facts/host-facts.ts';
import type { HostIdentity, Lab as InventoryLab } from '../inventory/load.ts';

export type Lab = InventoryLab<HostIdentity>;
import type { Role } from '../inventory/schema.ts';
import { PROBES, type FactOf, type ProbeName } from '../probes/index.ts';

export type Status = 'pass' | 'fail' | 'error' | 'skip';

/** What a check concluded, in words a person can act on. */
export interface Verdict {
  status: Status;
  expected: string;
  actual: string;
  /** Where it was read: `file:line` or the command. */
  source: string;
  message: string;
  /** How to fix it, on failure: the tutorial's command. */
  fix: string;
}

/** A host as the checks see it: its inventory entry and its facts, or why it could not be read. */
export interface ObservedHost {
  spec: HostIdentity;
  facts: HostFacts;
  /** Set when the host could not be read at all. */
  unreachable: string | null;
}

export interface HostCheckContext {
  lab: Lab;
  host: ObservedHost;
}

export interface LabCheckContext {
  lab: Lab;
  hosts: ObservedHost[];
}

interface CheckBase<Context> {
  id: string;
  title: string;
  /** The tutorial's remedy; a check may give a more precise one in its outcome. */
  fix: string;
  evaluate(context: Context): Outcome;
}

export interface HostCheck extends CheckBase<HostCheckContext> {
  appliesTo: 'all' | Role;
}

export type LabCheck = CheckBase<LabCheckContext>;

export type Outcome = Omit<Verdict, 'fix' | 'message'> & { message?: string; fix?: string };

export const pass = (expected: string, actual: string, source: string, message = ''): Outcome => ({ status: 'pass', expected, actual, source, message });
export const fail = (expected: string, actual: string, source: string, message: string, fix?: string): Outcome => ({
  status: 'fail',
  expected,
  actual,
  source,
  message,
  ...(fix ? { fix } : {}),
});

/** Thrown by `fact()` when a probe's output could not be read: the check becomes an error, never a pass. */
export class FactUnavailable extends Error {
  constructor(
    readonly probe: ProbeName,
    readonly reason: string,
    readonly raw: string,
  ) {
    super(reason);
  }
}

/** The check cannot be decided from what the inventory and the facts say. */
export class CannotEvaluate extends Error {}

export function fact<N extends ProbeName>(host: ObservedHost, name: N): FactOf<N> {
  const result = host.facts[name] as FactResult<N>;
  if (!result.ok) throw new FactUnavailable(name, host.unreachable ?? result.reason, result.raw);
  return result.value;
}

/** The commands a probe sends, for `source` fields. */
export function commandsOf(name: ProbeName, host: HostIdentity, lab: Lab): string {
  return Object.values(PROBES[name].commands({ role: host.role, chronySyncWaitSeconds: lab.settings.chronySyncWaitSeconds })).join(' ; ');
}

export function evaluateHostCheck(check: HostCheck, context: HostCheckContext): Verdict {
  const { host } = context;
  if (check.appliesTo !== 'all' && check.appliesTo !== host.spec.role) {
    return {
      status: 'skip',
      expected: '',
      actual: '',
      source: '',
      message: `applies to ${check.appliesTo} hosts; ${host.spec.name} is ${host.spec.role}`,
      fix: '',
    };
  }
  if (host.unreachable) return unreachableVerdict(check, host.spec.name, host.unreachable);
  return settle(check, () => check.evaluate(context), context.lab, host.spec);
}

export function evaluateLabCheck(check: LabCheck, context: LabCheckContext): Verdict {
  const unreachable = context.hosts.filter((h) => h.unreachable);
  if (unreachable.length > 0) {
    return unreachableVerdict(check, unreachable.map((h) => h.spec.name).join(', '), unreachable.map((h) => `${h.spec.name}: ${h.unreachable}`).join('; '));
  }
  return settle(check, () => check.evaluate(context), context.lab, undefined);
}

/** An error still says what the check wanted (its title), so a reader knows what went unchecked. */
function unreachableVerdict(check: { title: string }, who: string, reason: string): Verdict {
  return {
    status: 'error',
    expected: check.title,
    actual: '',
    source: 'ssh',
    message: `could not read ${who}: ${reason}`,
    fix: 'make the host reachable over SSH with the inventory settings, then run again',
  };
}

function settle<C>(check: CheckBase<C>, run: () => Outcome, lab: Lab, host: HostIdentity | undefined): Verdict {
  try {
    const outcome = run();
    return { message: '', ...outcome, fix: outcome.status === 'fail' ? (outcome.fix ?? check.fix) : '' };
  } catch (error) {
    if (error instanceof FactUnavailable) {
      return {
        status: 'error',
        expected: check.title,
        actual: excerpt(error.raw),
        source: host ? commandsOf(error.probe, host, lab) : error.probe,
        message: error.reason,
        fix: '',
      };
    }
    if (error instanceof CannotEvaluate) return { status: 'error', expected: check.title, actual: '', source: 'inventory', message: error.message, fix: '' };
    throw error;
  }
}

const EXCERPT_LIMIT = 2000;
function excerpt(raw: string): string {
  return raw.length > EXCERPT_LIMIT ? `${raw.slice(0, EXCERPT_LIMIT)}… (${raw.length - EXCERPT_LIMIT} more characters in the snapshot)` : raw;
}
