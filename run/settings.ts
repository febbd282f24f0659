import { isAbsolute, resolve } from 'node:path';
import type { TargetConnectionFlags, TargetFlags } from '../inventory/ad-hoc.ts';
import type { CheckChoice, CheckChoices, SkipChoice } from '../inventory/load.ts';
import { CHECK_PATTERN, CHECK_PATTERN_EXPECTED, CHECK_PROFILES, isCheckProfile } from '../inventory/choices.ts';
import { DISCLOSURES, LANGS, type Disclosure, type Lang } from '../outputs/grade-text.ts';

/**
 * Everything a run needs to know, resolved once: flags first, then the environment, then the
 * defaults below (the inventory's own settings, lab and connection, are resolved by its loader).
 * Every path is absolute, made against the user's working folder.
 */
export interface RunSettings {
  /** The inventory to read; unused when replaying or when the hosts are given as targets. */
  inventory: string;
  /** Hosts named on the command line (`--target`) instead of an inventory file. */
  targets: { hosts: TargetFlags[]; connection: TargetConnectionFlags } | null;
  /**
   * Which checks are judged, as the command line and the environment choose them; run/selection.ts combines
   * them with the inventory's own choice.
   */
  checks: CheckChoices;
  /** Snapshots to judge again instead of reading hosts: a reports folder, a run folder or a facts folder. */
  replayFrom: string | null;
  /** `labspec grade`: captures of offline bundles to judge instead of reading hosts, and the inventory if one was given. */
  captures: { sources: CaptureSource[]; inventory: string | null } | null;
  /** The reports folder: each run writes `runs/<id>/`, then the top level shows the latest complete run. */
  reports: string;
  /** How many hosts are read at once. */
  concurrency: number;
  /** Which checks run: a regular expression over `<section> > <host> › <check>`, as vitest's `-t`. */
  filter: { source: string; pattern: RegExp } | null;
  /**
   * This run's share of the inventory's labs (`--shard K/N`, env LABSPEC_SHARD); null reads every host.
   * Labs stay whole (run/shard.ts), so each shard judges its labs' cross-host checks itself.
   */
  shard: Shard | null;
  /** Print only the summary. */
  quiet: boolean;
  /** ANSI colour in console output. */
  color: boolean;
  /** A class's rubric file, instead of the inventory's `rubric:` (or, replaying, the rubric the run was graded with). */
  rubricFile: string | null;
  /** The grade a lab with every point gets, over the rubric's `gradeScale`. */
  gradeScale: number | null;
  /** Only these students of a class (ids or lab names); the others are not contacted. null: every student. */
  labs: string[] | null;
  /** The language of a class's scoreboard and student reports. */
  lang: Lang;
  /** How much a student report gives away: expected/actual/fix, hints without the command, or the score only. */
  disclose: Disclosure;
}

/** One capture to grade, with what the command line says of its host (the rest comes from the capture's header or the inventory). */
export interface CaptureSource {
  file: string;
  name?: string;
  role?: string;
  /** The host's lab address. */
  address?: string;
  lab?: string;
  /** The hostname the image was built with, when it is its final one. */
  hostname?: string;
}

export const DEFAULTS = {
  inventory: 'inventory/lab.yaml',
  reports: 'reports',
  concurrency: 16,
  lang: 'en',
  disclose: 'full',
} as const;

/** Shard `index` of `count` (1 ≤ index ≤ count), as `--shard index/count` gives it. */
export interface Shard {
  index: number;
  count: number;
}

/** What a user can set from the command line; each has an environment variable of the same meaning. */
export interface SettingFlags {
  inventory?: string | undefined;
  replayFrom?: string | undefined;
  captures?: ReadonlyArray<Record<keyof CaptureSource, string | undefined>> | undefined;
  reports?: string | undefined;
  concurrency?: string | undefined;
  filter?: string | undefined;
  shard?: string | undefined;
  quiet?: boolean | undefined;
  rubric?: string | undefined;
  gradeScale?: string | undefined;
  labs?: string[] | undefined;
  /** Each `--target` with the options that follow it. */
  targets?: TargetFlags[] | undefined;
  /** Options for every `--target`; paths as typed. */
  targetConnection?: Partial<TargetConnectionFlags> | undefined;
  profile?: string | undefined;
  /** Each `--only` as typed: check IDs or globs, comma-separated. */
  only?: string[] | undefined;
  /** Each `--skip` as typed. */
  skip?: string[] | undefined;
  lang?: string | undefined;
  disclose?: string | undefined;
}

/** A setting that cannot be used: one line naming the setting and why. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface SettingSources {
  flags: SettingFlags;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Whether the console output goes to a terminal. */
  isTTY: boolean;
}

export function resolveRunSettings({ flags, env, cwd, isTTY }: SettingSources): RunSettings {
  const path = (value: string) => (isAbsolute(value) ? value : resolve(cwd, value));
  const replayFrom = flags.replayFrom ?? nonEmpty(env.LABSPEC_REPLAY);
  const rubricFile = flags.rubric ?? nonEmpty(env.LABSPEC_RUBRIC);
  return {
    inventory: path(flags.inventory ?? nonEmpty(env.LABSPEC_INVENTORY) ?? DEFAULTS.inventory),
    targets: targetsOf(flags, path),
    checks: checksOf(flags, env),
    replayFrom: replayFrom === undefined ? null : path(replayFrom),
    captures:
      flags.captures === undefined
        ? null
        : {
            sources: flags.captures.map((source) => captureSourceOf(source, path)),
            inventory: flags.inventory === undefined ? null : path(flags.inventory),
          },
    reports: reportsPath(flags, env, cwd),
    concurrency: concurrencyOf(flags.concurrency, env.LABSPEC_CONCURRENCY),
    filter: filterOf(flags.filter),
    shard: shardOf(flags.shard, env.LABSPEC_SHARD),
    quiet: flags.quiet ?? false,
    color: colorOf(env, isTTY),
    rubricFile: rubricFile === undefined ? null : path(rubricFile),
    gradeScale: gradeScaleOf(flags.gradeScale),
    labs: flags.labs === undefined || flags.labs.length === 0 ? null : [...new Set(flags.labs)],
    lang: oneOf('--lang', flags.lang, 'LABSPEC_LANG', env.LABSPEC_LANG, LANGS, DEFAULTS.lang),
    disclose: oneOf(
      '--disclose',
      flags.disclose,
      'LABSPEC_DISCLOSE',
      env.LABSPEC_DISCLOSE,
      DISCLOSURES,
      DEFAULTS.disclose,
    ),
  };
}

/** The reports folder alone: where a usage error must withdraw the top-level reports even when other settings are invalid. */
export function reportsPath(flags: Pick<SettingFlags, 'reports'>, env: SettingSources['env'], cwd: string): string {
  const value = flags.reports ?? nonEmpty(env.LABSPEC_REPORTS) ?? DEFAULTS.reports;
  return isAbsolute(value) ? value : resolve(cwd, value);
}

function gradeScaleOf(text: string | undefined): number | null {
  if (text === undefined) return null;
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(value > 0) || value > 100000) {
    throw new UsageError(`--grade-scale: expected a number above 0, such as 100 or 20, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** Only the path is resolved here; the rest is checked where the captures are read (run/offline.ts), so start-up loads no schema. */
function captureSourceOf(
  flags: Record<keyof CaptureSource, string | undefined>,
  path: (value: string) => string,
): CaptureSource {
  const { file, ...given } = flags;
  const source: CaptureSource = { file: path(file!) };
  for (const [key, value] of Object.entries(given))
    if (value !== undefined) source[key as Exclude<keyof CaptureSource, 'file'>] = value;
  return source;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function concurrencyOf(flag: string | undefined, env: string | undefined): number {
  const [where, text] = flag !== undefined ? ['--concurrency', flag] : ['LABSPEC_CONCURRENCY', nonEmpty(env)];
  if (text === undefined) return DEFAULTS.concurrency;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`${where}: expected a whole number ≥ 1, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** A setting with a fixed set of values: the flag, else the environment variable, else the default. */
function oneOf<T extends string>(
  flag: string,
  flagValue: string | undefined,
  variable: string,
  envValue: string | undefined,
  values: readonly T[],
  fallback: T,
): T {
  const [where, text] = flagValue !== undefined ? [flag, flagValue] : [variable, nonEmpty(envValue)];
  if (text === undefined) return fallback;
  if (!(values as readonly string[]).includes(text)) {
    throw new UsageError(`${where}: expected ${values.join(' | ')}, got ${JSON.stringify(text)}`);
  }
  return text as T;
}

function filterOf(text: string | undefined): RunSettings['filter'] {
  if (text === undefined) return null;
  try {
    return { source: text, pattern: new RegExp(text) };
  } catch (error) {
    throw new UsageError(`--filter: not a valid regular expression: ${(error as Error).message}`);
  }
}

function shardOf(flag: string | undefined, env: string | undefined): Shard | null {
  const [where, text] = flag !== undefined ? ['--shard', flag] : ['LABSPEC_SHARD', nonEmpty(env)];
  if (text === undefined) return null;
  const match = /^(\d{1,6})\/(\d{1,6})$/.exec(text);
  const [index, count] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  if (index < 1 || index > count) {
    throw new UsageError(`${where}: expected K/N, shard K of N with 1 ≤ K ≤ N (e.g. 2/3), got ${JSON.stringify(text)}`);
  }
  return { index, count };
}

/** `--target`s replace the inventory file; their connection options mean nothing without them. */
function targetsOf(flags: SettingFlags, path: (value: string) => string): RunSettings['targets'] {
  const connection = flags.targetConnection ?? {};
  const given = Object.entries({
    '--identity': connection.identity,
    '--identity-env': connection.identityEnv,
    '--password-env': connection.passwordEnv,
    '--known-hosts': connection.knownHosts,
    '--accept-new-host-key': connection.acceptNewHostKey || undefined,
  }).filter(([, value]) => value !== undefined);
  const targets = flags.targets ?? [];
  if (targets.length === 0) {
    if (given.length > 0) {
      throw new UsageError(
        `${given[0]![0]} describes how to reach the --target hosts; with an inventory, set it in the inventory's defaults`,
      );
    }
    return null;
  }
  if (flags.inventory !== undefined) {
    throw new UsageError('--inventory and --target are two ways to name the hosts: give one of them');
  }
  if (connection.identity !== undefined && connection.identityEnv !== undefined) {
    throw new UsageError('--identity and --identity-env both name the private key: give one of them');
  }
  if (connection.acceptNewHostKey && connection.knownHosts === undefined) {
    throw new UsageError(
      '--accept-new-host-key records the key it accepts: give the file to record it in with --known-hosts FILE (a new, throwaway file for a fresh build)',
    );
  }
  return {
    hosts: targets,
    connection: {
      ...(connection.identity !== undefined ? { identity: path(connection.identity) } : {}),
      ...(connection.identityEnv !== undefined ? { identityEnv: connection.identityEnv } : {}),
      ...(connection.passwordEnv !== undefined ? { passwordEnv: connection.passwordEnv } : {}),
      ...(connection.knownHosts !== undefined ? { knownHosts: path(connection.knownHosts) } : {}),
      acceptNewHostKey: connection.acceptNewHostKey ?? false,
    },
  };
}

/**
 * The profile and --only: the flag, else the environment (LABSPEC_PROFILE, LABSPEC_ONLY). Skips add up: those of
 * LABSPEC_SKIP and of every --skip, each with where it came from as its reason.
 */
function checksOf(flags: SettingFlags, env: SettingSources['env']): CheckChoices {
  const profileText = flags.profile ?? nonEmpty(env.LABSPEC_PROFILE);
  let profile: CheckChoices['profile'] = null;
  if (profileText !== undefined) {
    if (!isCheckProfile(profileText)) {
      const where = flags.profile !== undefined ? '--profile' : 'LABSPEC_PROFILE';
      throw new UsageError(`${where}: expected ${CHECK_PROFILES.join(' | ')}, got ${JSON.stringify(profileText)}`);
    }
    profile = profileText;
  }
  const onlyEnv = nonEmpty(env.LABSPEC_ONLY);
  const only =
    flags.only !== undefined
      ? patternsOf('--only', flags.only)
      : onlyEnv !== undefined
        ? patternsOf('LABSPEC_ONLY', [onlyEnv])
        : null;
  const skipEnv = nonEmpty(env.LABSPEC_SKIP);
  const skip: SkipChoice[] = [
    ...(skipEnv !== undefined ? patternsOf('LABSPEC_SKIP', [skipEnv]) : []),
    ...patternsOf('--skip', flags.skip ?? []),
  ].map((choice) => ({ ...choice, reason: `skipped with ${choice.where} ${choice.pattern}` }));
  return { profile, only, skip };
}

/** Check IDs and globs, each value comma-separated: `--skip chrony.*,host.address`. */
function patternsOf(where: string, values: readonly string[]): CheckChoice[] {
  return values.flatMap((value) => {
    const patterns = value
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    if (patterns.length === 0) throw new UsageError(`${where}: expected a check ID or a glob such as chrony.*`);
    return patterns.map((pattern) => {
      if (!CHECK_PATTERN.test(pattern)) throw new UsageError(`${where} ${pattern}: ${CHECK_PATTERN_EXPECTED}`);
      return { pattern, where };
    });
  });
}

/** NO_COLOR (any value) turns colour off; FORCE_COLOR turns it on, unless it is 0 or false; otherwise only on a terminal. */
export function colorOf(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  if (nonEmpty(env.NO_COLOR) !== undefined) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.toLowerCase());
  return isTTY;
}
