import { performance } from 'node:perf_hooks';
import type { Check, LabView, ObservedHost, SectionId } from '../checks/check.ts';
import type { HostIdentity } from '../inventory/schema.ts';
import { appliesToRole, evaluateHostCheck, evaluateLabCheck } from '../checks/evaluate.ts';
import { checksForLab, sectionOf } from '../checks/registry.ts';
import type { GatheredHost } from '../gather/gather.ts';
import type { ProbeName } from '../probes/index.ts';
import type { ResultEntry } from '../outputs/report.ts';
import { isSelected, JUDGE_ALL, skipOf, type CheckSelection } from './selection.ts';

/** One lab as judged: its expected values and its hosts as read. */
export interface ObservedLab {
  view: LabView;
  hosts: ObservedHost[];
}

/** A verdict with the names a person filters and reads it by. */
export interface Judged {
  entry: ResultEntry;
  /** The section's title, as the spec files' `describe`. */
  section: string;
  /** As the console and the spec files' test names show it: `controller › firewalld.stopped`. */
  label: string;
  /** What `-t`/`--filter` is matched against, exactly as vitest builds it: `<section> > <host> › <check>`. */
  fullName: string;
}

/** Groups gathered hosts (live or replayed) into labs, in inventory order. */
export function observeLabs(gathered: readonly GatheredHost[]): ObservedLab[] {
  const labs = new Map<string, ObservedLab>();
  for (const g of gathered) {
    const lab = labs.get(g.lab) ?? { view: { settings: g.labSettings, hosts: [] }, hosts: [] };
    labs.set(g.lab, lab);
    const spec = { lab: g.lab, ...g.host };
    lab.view.hosts.push(spec);
    lab.hosts.push({
      spec,
      facts: g.facts,
      commands: commandsByProbe(g),
      unreachable: g.connection.ok ? null : g.connection.message,
    });
  }
  return [...labs.values()];
}

function commandsByProbe(g: GatheredHost): Partial<Record<ProbeName, string>> {
  const commands: Partial<Record<ProbeName, string>> = {};
  for (const output of g.outputs) {
    const probe = output.probe as ProbeName;
    commands[probe] = commands[probe] ? `${commands[probe]} ; ${output.command}` : output.command;
  }
  return commands;
}

/** How a host (or a lab's cross-host suite) is named in test names: `compute1`, or `student3/compute1` in a class. */
export function hostLabel(lab: string, host: string | null, multipleLabs: boolean): string {
  const name = host ?? '(lab)';
  return multipleLabs ? `${lab}/${name}` : name;
}

export function testName(lab: string, host: string | null, check: string, multipleLabs: boolean): string {
  return `${hostLabel(lab, host, multipleLabs)} › ${check}`;
}

/** One check to judge on one host (host null: the lab's cross-host suite), with its names. */
export interface PlannedCheck {
  lab: string;
  host: string | null;
  /** Who the host is; null for a cross-host check. */
  target: HostIdentity | null;
  check: Check;
  section: string;
  label: string;
  fullName: string;
}

/**
 * Every registry check on every host of every lab, in report order: each lab's hosts as listed, then its
 * cross-host checks. `multipleLabs`: whether the inventory has several labs (a shard may hold one of them).
 */
export function planChecks(labs: readonly LabView[], multipleLabs = labs.length > 1): PlannedCheck[] {
  const planned = (lab: LabView, target: HostIdentity | null, check: Check): PlannedCheck => {
    const section = sectionOf(check.section).title;
    const host = target?.name ?? null;
    const label = testName(lab.settings.name, host, check.id, multipleLabs);
    return { lab: lab.settings.name, host, target, check, section, label, fullName: `${section} > ${label}` };
  };
  return labs.flatMap((lab) => {
    const checks = checksForLab(lab);
    return [
      ...lab.hosts.flatMap((host) => checks.host.map((check) => planned(lab, host, check))),
      ...checks.lab.map((check) => planned(lab, null, check)),
    ];
  });
}

/**
 * Judges the selected checks. A check the selection skips (the image profile, a --skip, the inventory's checks.skip)
 * is reported as skipped with the reason, where it was decided as its source, unless it does not apply to the
 * host's role at all: that skip says so instead.
 */
export function judgeLabs(
  labs: readonly ObservedLab[],
  multipleLabs = labs.length > 1,
  selection: CheckSelection = JUDGE_ALL,
): Judged[] {
  const byName = new Map(labs.map((lab) => [lab.view.settings.name, lab]));
  const plans = planChecks(
    labs.map((lab) => lab.view),
    multipleLabs,
  ).filter((plan) => isSelected(selection, plan));
  return plans.map((plan) => {
    const lab = byName.get(plan.lab)!;
    const started = performance.now();
    const { check } = plan;
    const host = check.scope === 'host' ? lab.hosts.find((h) => h.spec.name === plan.host)! : null;
    const skip = skipOf(selection, plan);
    const verdict =
      skip && !(check.scope === 'host' && !appliesToRole(check, host!.spec.role))
        ? { status: 'skip' as const, expected: '', actual: '', source: skip.source, message: skip.message, fix: '' }
        : check.scope === 'host'
          ? evaluateHostCheck(check, { lab: lab.view, host: host! })
          : evaluateLabCheck(check, { lab: lab.view, hosts: lab.hosts });
    const entry = {
      lab: plan.lab,
      host: plan.host,
      check: check.id,
      title: check.title,
      section: check.section,
      ...verdict,
      durationMs: performance.now() - started,
    };
    return { entry, section: plan.section, label: plan.label, fullName: plan.fullName };
  });
}

/** A verdict judged elsewhere (a shard's results.json), with the names this run would give it. */
export function judgedOf(entry: ResultEntry, multipleLabs: boolean): Judged {
  const section = sectionOf(entry.section as SectionId).title;
  const label = testName(entry.lab, entry.host, entry.check, multipleLabs);
  return { entry, section, label, fullName: `${section} > ${label}` };
}
