import type { Check } from '../checks/check.ts';
import { registryIdOf } from '../checks/registry.ts';
import type { CloneFact } from '../inventory/schema.ts';
import type { AppliedRubric } from './model.ts';

/** Host keys, machine-ids and MACs are per machine; a root filesystem UUID is shared by every VM of one base image. */
export const DEFAULT_CLONE_FACTS: readonly CloneFact[] = ['hostKey', 'machineId', 'mac'];
export const DEFAULT_GRADE_SCALE = 100;

/** The registry's points (1 per check, 3 per cross-host check), a grade out of 100, clones flagged without consequence. */
export function defaultRubric(): AppliedRubric {
  return {
    source: 'defaults',
    overrides: {},
    gradeScale: DEFAULT_GRADE_SCALE,
    clones: { facts: [...DEFAULT_CLONE_FACTS], consequence: 'none' },
  };
}

/**
 * A check's points under a rubric: an override for its id (`hosts.controller`), else for its registry entry
 * (`hosts.<name>`: every member of the family), else the registry's own points.
 */
export function pointsFor(rubric: Pick<AppliedRubric, 'overrides'>, check: Pick<Check, 'id' | 'points'>): number {
  const exact = rubric.overrides[check.id];
  if (exact !== undefined) return exact;
  const entry = registryIdOf(check.id);
  const family = entry === null ? undefined : rubric.overrides[entry];
  return family ?? check.points;
}
