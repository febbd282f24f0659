import type { Check } from '../checks/check.ts';
import { isFamily, REGISTRY, registryIdOf } from '../checks/registry.ts';
import { InventoryError, parseYaml, readBoundedText, type LocatedRubric } from '../inventory/load.ts';
import { rubricSettings, type CloneFact } from '../inventory/schema.ts';
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

/** A rubric (file or inventory section) that cannot be used: one line per problem, `file:LINE path: message`. */
export class RubricError extends InventoryError {
  override name = 'RubricError';
  constructor(problems: string[]) {
    super(problems, 'invalid rubric');
  }
}

/** A `--rubric FILE`: the same keys as the inventory's `rubric:` section (points, gradeScale, clones). */
export function loadRubricFile(file: string): LocatedRubric {
  try {
    const text = readBoundedText(file, { noun: 'the rubric', kind: 'the rubric YAML' });
    const { data, at } = parseYaml(text, file, () => rubricSettings);
    const points = data.points ?? {};
    return {
      file,
      settings: data,
      pointsAt: Object.fromEntries(Object.keys(points).map((id) => [id, `${at(['points', id], true)} points.${id}`])),
    };
  } catch (error) {
    if (error instanceof InventoryError) throw new RubricError(error.problems);
    throw new RubricError([`${file}: ${(error as Error).message}`]);
  }
}

/**
 * The rubric a class is graded with: the one given (a --rubric file or the inventory's section) over the defaults,
 * and `--grade-scale` over both. A check id the registry does not know is a located error, with the closest known id.
 */
export function resolveRubric(given: LocatedRubric | null, gradeScale: number | null): AppliedRubric {
  const defaults = defaultRubric();
  const points = given?.settings.points ?? {};
  const unknown = Object.keys(points).filter((id) => registryIdOf(id) === null);
  if (unknown.length > 0) {
    throw new RubricError(
      unknown.map((id) => {
        const near = closestCheckId(id);
        return `${given!.pointsAt[id]}: no check has this id${near ? ` (did you mean ${near}?)` : ''}; labspec checks lists them`;
      }),
    );
  }
  return {
    source: given?.file ?? defaults.source,
    overrides: points,
    gradeScale: gradeScale ?? given?.settings.gradeScale ?? defaults.gradeScale,
    clones: {
      facts: given?.settings.clones?.facts ?? defaults.clones.facts,
      consequence: given?.settings.clones?.consequence ?? defaults.clones.consequence,
    },
  };
}

/** The registry id nearest to a mistyped one (at most 3 edits away), or null. */
function closestCheckId(id: string): string | null {
  const ids = REGISTRY.map((entry) => (isFamily(entry) ? entry.template.id : entry.id));
  let best: { id: string; distance: number } | null = null;
  for (const candidate of ids) {
    const distance = editDistance(id, candidate);
    if (distance <= 3 && (best === null || distance < best.distance)) best = { id: candidate, distance };
  }
  return best?.id ?? null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
