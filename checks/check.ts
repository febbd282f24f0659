import type { FactResult, HostFacts } from '../facts/host-facts.ts';
import type { HostIdentity, LabSettings, Role } from '../inventory/schema.ts';
import type { FactOf, ProbeName } from '../probes/index.ts';

export type Status = 'pass' | 'fail' | 'error' | 'skip';

/** What a check concluded, in words a person can act on. */
export interface Verdict {
  status: Status;
  expected: string;
  actual: string;
  /** Where it was read: `file:line` or the command that was sent. */
  source: string;
  message: string;
  /** How to fix it, on failure: a command that runs. */
  fix: string;
}

/** A lab as the checks see it: its expected values and who its hosts are. */
export interface LabView {
  settings: LabSettings;
  hosts: HostIdentity[];
}

/** A host as the checks see it: who it is, its facts, the commands that produced them, or why it could not be read. */
export interface ObservedHost {
  spec: HostIdentity;
  facts: HostFacts;
  /** Per probe, the commands really sent (from the recorded outputs), for `source` fields. */
  commands: Partial<Record<ProbeName, string>>;
  /** Set when the host could not be read at all. */
  unreachable: string | null;
}

export interface HostCheckContext {
  lab: LabView;
  host: ObservedHost;
}

export interface LabCheckContext {
  lab: LabView;
  hosts: ObservedHost[];
}

/** The tutorial's sections, in its order; every check belongs to one. */
export type SectionId = 'host' | 'services' | 'selinux' | 'name-resolution' | 'ntp' | 'topology';

/**
 * Whether a check can be judged on a lab image that is not deployed yet (no lab network, no peers).
 * `unlessHostnameGiven`: judged all the same on a host whose hostname the inventory gives explicitly (`hostname`,
 * `--hostname`), an image built with its final hostname rather than a generic one.
 */
export type ImageProfile = { judged: true } | { judged: false; reason: string; unlessHostnameGiven?: true };

/** What every check says about itself: the registry, the docs and `labspec checks` read these. */
export interface CheckInfo {
  id: string;
  section: SectionId;
  title: string;
  /** The same title in Korean, for students' reports. */
  titleKo: string;
  /** The tutorial's remedy; a check may give a more precise one in its outcome. */
  fix: string;
  /** What is wrong when it fails, and where to look, without giving the command: a student report's `hints` level. */
  hint: string;
  hintKo: string;
  /** The remedy in Korean for students, with the tutorial's commands; the outcome's `fix` is shown next to it when it is more precise. */
  fixKo: string;
  /** Grading weight. */
  points: number;
  image: ImageProfile;
}

export interface HostCheck extends CheckInfo {
  scope: 'host';
  appliesTo: 'all' | Role;
  evaluate(context: HostCheckContext): Outcome;
}

export interface LabCheck extends CheckInfo {
  scope: 'lab';
  evaluate(context: LabCheckContext): Outcome;
}

export type Check = HostCheck | LabCheck;

export type Outcome = Omit<Verdict, 'fix' | 'message'> & { message?: string; fix?: string };

interface Observation {
  expected: string;
  actual: string;
  source: string;
}

export const pass = ({ expected, actual, source, message = '' }: Observation & { message?: string }): Outcome => ({
  status: 'pass',
  expected,
  actual,
  source,
  message,
});

export const fail = ({
  expected,
  actual,
  source,
  message,
  fix,
}: Observation & { message: string; fix?: string }): Outcome => ({
  status: 'fail',
  expected,
  actual,
  source,
  message,
  ...(fix ? { fix } : {}),
});

/** Thrown by `fact()` when a probe's output could not be read: the check becomes an error, never a pass. */
export class FactUnavailable extends Error {
  readonly probe: ProbeName;
  readonly source: string;
  readonly raw: string;
  constructor(probe: ProbeName, reason: string, source: string, raw: string) {
    super(reason);
    this.probe = probe;
    this.source = source;
    this.raw = raw;
  }
}

/** The check cannot be decided from what the inventory and the facts say. */
export class CannotEvaluate extends Error {}

/** A probe's parsed fact, and the commands that were really sent to read it. */
export function fact<N extends ProbeName>(host: ObservedHost, name: N): { value: FactOf<N>; source: string } {
  const result = host.facts[name] as FactResult<N>;
  const source = host.commands[name] ?? `probe ${name} (not sent)`;
  if (!result.ok) throw new FactUnavailable(name, host.unreachable ?? result.reason, source, result.raw);
  return { value: result.value, source };
}
