import type { HostCheck, LabCheck, LabCheckContext, HostCheckContext, Outcome, Verdict, Check } from './check.ts';
import { CannotEvaluate, FactUnavailable } from './check.ts';
import type { Role } from '../inventory/schema.ts';

/** Whether a host check is meant for a host of this role; a check that is not is skipped, saying so. */
export function appliesToRole(check: HostCheck, role: Role): boolean {
  return check.appliesTo === 'all' || check.appliesTo === role;
}

export function evaluateHostCheck(check: HostCheck, context: HostCheckContext): Verdict {
  const { host } = context;
  if (!appliesToRole(check, host.spec.role)) {
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
  return settle(check, () => check.evaluate(context));
}

export function evaluateLabCheck(check: LabCheck, context: LabCheckContext): Verdict {
  const unreachable = context.hosts.filter((h) => h.unreachable);
  if (unreachable.length > 0) {
    const who = unreachable.map((h) => h.spec.name).join(', ');
    return unreachableVerdict(check, who, unreachable.map((h) => `${h.spec.name}: ${h.unreachable}`).join('; '));
  }
  return settle(check, () => check.evaluate(context));
}

/** An error still says what the check wanted (its title), so a reader knows what went unchecked. */
function unreachableVerdict(check: Check, who: string, reason: string): Verdict {
  return {
    status: 'error',
    expected: check.title,
    actual: '',
    source: 'ssh',
    message: `could not read ${who}: ${reason}`,
    fix: 'make the host reachable over SSH with the inventory settings, then run again',
  };
}

function settle(check: Check, run: () => Outcome): Verdict {
  try {
    const outcome = run();
    return { message: '', ...outcome, fix: outcome.status === 'fail' ? (outcome.fix ?? check.fix) : '' };
  } catch (error) {
    if (error instanceof FactUnavailable) {
      return {
        status: 'error',
        expected: check.title,
        actual: excerpt(error.raw),
        source: error.source,
        message: error.message,
        fix: '',
      };
    }
    if (error instanceof CannotEvaluate) {
      return {
        status: 'error',
        expected: check.title,
        actual: '',
        source: 'inventory',
        message: error.message,
        fix: '',
      };
    }
    throw error;
  }
}

const EXCERPT_LIMIT = 2000;
function excerpt(raw: string): string {
  if (raw.length <= EXCERPT_LIMIT) return raw;
  return `${raw.slice(0, EXCERPT_LIMIT)}… (${raw.length - EXCERPT_LIMIT} more characters in the snapshot)`;
}
