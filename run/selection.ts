import { isKnownCheckId } from '../checks/registry.ts';
import { InventoryError, type CheckChoice, type CheckChoices, type SkipChoice } from '../inventory/load.ts';
import type { CheckProfile } from '../inventory/choices.ts';
import type { RecordedSelection } from '../outputs/report.ts';
import type { PlannedCheck } from './judge.ts';
import { UsageError } from './settings.ts';

/** The checks a run judges: the profile, the checks it is limited to (null: all), the checks skipped and why. */
export interface CheckSelection {
  profile: CheckProfile;
  only: CheckChoice[] | null;
  skip: SkipChoice[];
}

/** The selection as results.json records it: each skip with who chose it, the source its skipped checks show. */
export function recordedSelection(selection: CheckSelection): RecordedSelection {
  return {
    profile: selection.profile,
    only: selection.only?.map((choice) => choice.pattern) ?? null,
    skip: selection.skip.map(({ pattern, reason, where }) => ({ pattern, reason, source: where })),
  };
}

/** Where a choice recorded by a run written before skips recorded who chose them comes from. */
const REPLAYED_RUN = 'the replayed run';

/**
 * The selection a run recorded, to judge its snapshots again with the same checks: each skip keeps the reason and
 * the source it had. Its patterns are not checked again: they matched the run's inventory, of which a replay may
 * hold only part (a shard, some students).
 */
export function selectionOfRecord(recorded: RecordedSelection): CheckSelection {
  return {
    profile: recorded.profile,
    only: recorded.only?.map((pattern) => ({ pattern, where: REPLAYED_RUN })) ?? null,
    skip: recorded.skip.map(({ pattern, reason, source }) => ({ pattern, reason, where: source ?? REPLAYED_RUN })),
  };
}

/** Whether the command line (or the variables standing in for its options) chooses checks at all. */
export function choosesChecks(choices: CheckChoices): boolean {
  return choices.profile !== null || choices.only !== null || choices.skip.length > 0;
}

/** Every check of the full spec, nothing skipped: what a run judges unless told otherwise. */
export const JUDGE_ALL: CheckSelection = { profile: 'full', only: null, skip: [] };

/**
 * The command line's choice over the inventory's: its profile and --only replace the inventory's; skips add up,
 * each keeping its own reason. Every pattern must match a check of this run, or nothing is contacted: the command
 * line's are a usage error, the inventory's an inventory error at their line.
 */
export function selectChecks(
  commandLine: CheckChoices,
  inventory: CheckChoices | null,
  planned: readonly PlannedCheck[],
): CheckSelection {
  const ids = [...new Set(planned.map((p) => p.check.id))];
  const unmatched = (choices: readonly CheckChoice[]) =>
    choices.filter((choice) => !ids.some((id) => matchesCheck(choice.pattern, id)));
  const given = [...(commandLine.only ?? []), ...commandLine.skip];
  const badFlags = unmatched(given);
  if (badFlags.length > 0)
    throw new UsageError(badFlags.map((c) => `${c.where} ${unknownPattern(c.pattern)}`).join('; '));
  if (inventory) {
    const badLines = unmatched([...(inventory.only ?? []), ...inventory.skip]);
    if (badLines.length > 0) throw new InventoryError(badLines.map((c) => `${c.where}: ${unknownPattern(c.pattern)}`));
  }
  return {
    profile: commandLine.profile ?? inventory?.profile ?? 'full',
    only: commandLine.only ?? inventory?.only ?? null,
    skip: [...(inventory?.skip ?? []), ...commandLine.skip],
  };
}

function unknownPattern(pattern: string): string {
  if (/[*?]/.test(pattern)) return `${pattern} matches no check of this run; labspec checks lists them`;
  return isKnownCheckId(pattern)
    ? `${pattern} is not a check of this run's hosts`
    : `${pattern} is no check labspec knows; labspec checks lists them`;
}

/** A check ID or a glob over IDs (`*` any run of characters, `?` one), case-insensitive as host names are. */
export function matchesCheck(pattern: string, id: string): boolean {
  const source = [...pattern]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'i').test(id);
}

/** Whether a planned check is in the run at all: `only` leaves the others out, as `-t` does. */
export function isSelected(selection: CheckSelection, plan: PlannedCheck): boolean {
  return selection.only === null || selection.only.some((choice) => matchesCheck(choice.pattern, plan.check.id));
}

/** Why a selected check is skipped rather than judged, and who decided it; null: judge it. */
export function skipOf(selection: CheckSelection, plan: PlannedCheck): { message: string; source: string } | null {
  const chosen = selection.skip.find((choice) => matchesCheck(choice.pattern, plan.check.id));
  if (chosen) return { message: chosen.reason, source: chosen.where };
  const { image } = plan.check;
  const hostnameGiven = plan.target?.hostname !== undefined;
  if (selection.profile === 'image' && !image.judged && !(image.unlessHostnameGiven && hostnameGiven)) {
    return { message: `not judged on an image: ${image.reason}`, source: 'profile image' };
  }
  return null;
}
