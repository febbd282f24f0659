import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { TargetFlags } from '../inventory/ad-hoc.ts';
import { shownTarget } from '../inventory/target-url.ts';
import { EXIT } from '../run/exit-codes.ts';
import type { Console } from '../run/run.ts';
import { resolveRunSettings, UsageError, type SettingFlags } from '../run/settings.ts';
import { labspecVersion } from '../run/version.ts';
import { HELP, USAGE } from './help.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

const HELP_FLAG: Options = { help: { type: 'boolean', short: 'h' } };
const RUN_OPTIONS: Options = {
  ...HELP_FLAG,
  reports: { type: 'string' },
  filter: { type: 'string', short: 't' },
  quiet: { type: 'boolean', short: 'q' },
  rubric: { type: 'string' },
  'grade-scale': { type: 'string' },
  lab: { type: 'string', multiple: true },
  profile: { type: 'string' },
  only: { type: 'string', multiple: true },
  skip: { type: 'string', multiple: true },
  lang: { type: 'string' },
  disclose: { type: 'string' },
};

/** Options that describe the `--target` before them; the order on the command line pairs them. */
const PER_TARGET = {
  role: 'role',
  name: 'name',
  'lab-address': 'labAddress',
  'host-key': 'hostKey',
  hostname: 'hostname',
} as const satisfies Record<string, keyof TargetFlags>;

const TARGET_OPTIONS: Options = {
  target: { type: 'string', multiple: true },
  ...Object.fromEntries(Object.keys(PER_TARGET).map((name) => [name, { type: 'string', multiple: true }])),
  identity: { type: 'string' },
  'identity-env': { type: 'string' },
  'password-env': { type: 'string' },
  'known-hosts': { type: 'string' },
  'accept-new-host-key': { type: 'boolean' },
};

/** Everything labspec's process needs from outside, passed in: the arguments, the environment, the folder, the console. */
export interface Invocation {
  argv: string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  io: Console;
  /** How to start this same labspec in another process (the demo runs it inside the lab's network). */
  self: string[];
}

/**
 * Each command imports what it needs when it runs: `--version` and `--help` load no checks, `checks` no SSH,
 * `run` no lab tooling (see gather.ts for SSH).
 */
export async function main({ argv, env, cwd, io, self }: Invocation): Promise<number> {
  const [command, ...rest] = argv;
  const print = (text: string) => (io.stdout.write(text), EXIT.ok);
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        return print(HELP.main);
      case '--version':
      case '-V':
        return print(`${labspecVersion()}\n`);
      case 'run': {
        const { values, positionals, tokens } = parse(rest, {
          ...RUN_OPTIONS,
          ...TARGET_OPTIONS,
          inventory: { type: 'string' },
          concurrency: { type: 'string' },
          shard: { type: 'string' },
        });
        if (values.help) return print(HELP.run);
        noPositionals('run', positionals, 'give the inventory with --inventory FILE, or the hosts with --target');
        const settings = settingsFrom({ ...values, targets: targetsFrom(tokens) }, { env, cwd, io });
        const { runLabspec } = await import('../run/run.ts');
        return runLabspec(settings, io);
      }
      case 'replay': {
        const { values, positionals } = parse(rest, RUN_OPTIONS);
        if (values.help) return print(HELP.replay);
        if (positionals.length > 1) throw new UsageError(`replay takes one folder, got ${positionals.length}`);
        const replayFrom = positionals[0] ?? (values.reports as string | undefined) ?? env.LABSPEC_REPORTS ?? 'reports';
        const settings = settingsFrom({ ...values, replayFrom }, { env, cwd, io });
        const { runLabspec } = await import('../run/run.ts');
        return runLabspec(settings, io);
      }
      case 'merge': {
        const { values, positionals } = parse(rest, {
          ...HELP_FLAG,
          reports: { type: 'string' },
          quiet: { type: 'boolean', short: 'q' },
          lang: { type: 'string' },
          disclose: { type: 'string' },
        });
        if (values.help) return print(HELP.merge);
        const settings = settingsFrom(values, { env, cwd, io });
        const { mergeShards } = await import('../run/merge.ts');
        return mergeShards(
          positionals.map((dir) => resolve(cwd, dir)),
          settings,
          io,
        );
      }
      case 'bundle': {
        const { values, positionals } = parse(rest, {
          ...HELP_FLAG,
          inventory: { type: 'string' },
          name: { type: 'string' },
          lab: { type: 'string' },
          role: { type: 'string' },
          'lab-address': { type: 'string' },
          address: { type: 'string' },
          peer: { type: 'string', multiple: true },
          'sync-source': { type: 'string' },
          'chrony-sync-wait': { type: 'string' },
          'max-probe-output-mib': { type: 'string' },
        });
        if (values.help) return print(HELP.bundle);
        noPositionals('bundle', positionals);
        if (values['lab-address'] !== undefined && values.address !== undefined)
          throw new UsageError('--lab-address and --address are one option (--address is its older name): give one');
        const inventory = values.inventory as string | undefined;
        const { printBundle } = await import('../run/offline.ts');
        return printBundle(
          {
            inventory: inventory === undefined ? undefined : resolve(cwd, inventory),
            name: values.name as string | undefined,
            lab: values.lab as string | undefined,
            role: values.role as string | undefined,
            address: (values['lab-address'] ?? values.address) as string | undefined,
            peers: values.peer as string[] | undefined,
            syncSource: values['sync-source'] as string | undefined,
            chronySyncWait: values['chrony-sync-wait'] as string | undefined,
            maxProbeOutputMiB: values['max-probe-output-mib'] as string | undefined,
          },
          labspecVersion(),
          io,
        );
      }
      case 'grade': {
        const { values, tokens } = parse(rest, { ...RUN_OPTIONS, ...CAPTURE_OPTIONS, inventory: { type: 'string' } });
        if (values.help) return print(HELP.grade);
        // --lab here names a capture's lab, not students to pick from a class.
        const { lab: _perCapture, ...shared } = values;
        const settings = settingsFrom({ ...shared, captures: captureGroups(tokens) }, { env, cwd, io });
        const { runLabspec } = await import('../run/run.ts');
        return runLabspec(settings, io);
      }
      case 'checks': {
        const { values, positionals } = parse(rest, { ...HELP_FLAG, json: { type: 'boolean' } });
        if (values.help) return print(HELP.checks);
        noPositionals('checks', positionals);
        const { describeChecks, describeChecksJson } = await import('./describe.ts');
        return print(values.json ? describeChecksJson() : describeChecks());
      }
      case 'probes': {
        const { values, positionals } = parse(rest, HELP_FLAG);
        if (values.help) return print(HELP.probes);
        noPositionals('probes', positionals);
        const { describeProbes } = await import('./describe.ts');
        return print(describeProbes());
      }
      case 'lab': {
        const { values, positionals } = parse(rest, {
          ...HELP_FLAG,
          scenario: { type: 'string' },
          class: { type: 'string' },
        });
        if (values.help || positionals.length === 0) return print(HELP.lab);
        const { labCli } = await import('../lab/cli.ts');
        return labCli(positionals, {
          scenario: values.scenario as string | undefined,
          class: values.class as string | undefined,
        });
      }
      case 'demo': {
        const { values, positionals } = parse(rest, {
          ...HELP_FLAG,
          scenario: { type: 'string' },
          keep: { type: 'boolean' },
          reports: { type: 'string' },
        });
        if (values.help) return print(HELP.demo);
        noPositionals('demo', positionals);
        const settings = resolveRunSettings({
          flags: { reports: values.reports as string | undefined },
          env,
          cwd,
          isTTY: false,
        });
        const { demo } = await import('../lab/demo.ts');
        return demo({
          scenario: (values.scenario as string | undefined) ?? 'drift',
          keep: (values.keep as boolean | undefined) ?? false,
          reports: settings.reports,
          labspec: self,
        });
      }
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`labspec: ${error.message}\n${USAGE}`);
    return EXIT.usage;
  }
}

function parse(args: string[], options: Options) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]!);
  }
}

/** What `grade` may say of each capture; each applies to the capture it follows. */
const CAPTURE_OPTIONS: Options = {
  name: { type: 'string', multiple: true },
  role: { type: 'string', multiple: true },
  'lab-address': { type: 'string', multiple: true },
  address: { type: 'string', multiple: true },
  lab: { type: 'string', multiple: true },
  hostname: { type: 'string', multiple: true },
};
type CaptureFlags = Record<'file' | 'name' | 'role' | 'address' | 'lab' | 'hostname', string | undefined>;

/** The capture field each option sets: `--address` is the older name of `--lab-address`, as `bundle` has it too. */
const CAPTURE_FIELDS: Record<string, Exclude<keyof CaptureFlags, 'file'>> = {
  name: 'name',
  role: 'role',
  'lab-address': 'address',
  address: 'address',
  lab: 'lab',
  hostname: 'hostname',
};

/**
 * `grade A.txt --name controller B.txt --name compute1`: each capture with the flags after it.
 * With one capture the flags may stand anywhere.
 */
function captureGroups(tokens: ReturnType<typeof parse>['tokens']): CaptureFlags[] {
  const groups: CaptureFlags[] = [];
  const early: Array<{ option: string; field: keyof CaptureFlags; value: string }> = [];
  const set = (group: CaptureFlags, option: string, field: keyof CaptureFlags, value: string) => {
    if (group[field] !== undefined) throw new UsageError(`--${option} given twice for ${group.file}`);
    group[field] = value;
  };
  for (const token of tokens ?? []) {
    if (token.kind === 'positional') {
      groups.push({
        file: token.value,
        name: undefined,
        role: undefined,
        address: undefined,
        lab: undefined,
        hostname: undefined,
      });
    } else if (token.kind === 'option' && token.name in CAPTURE_FIELDS) {
      const field = CAPTURE_FIELDS[token.name]!;
      if (token.value === undefined) continue;
      const group = groups.at(-1);
      if (group === undefined) early.push({ option: token.name, field, value: token.value });
      else set(group, token.name, field, token.value);
    }
  }
  if (groups.length === 0) throw new UsageError('grade needs the capture file(s) to grade: labspec grade CAPTURE...');
  if (early.length > 0 && groups.length > 1) {
    throw new UsageError(
      `--${early[0]!.option} before the first capture: with several captures, put it after the one it is about`,
    );
  }
  for (const { option, field, value } of early) set(groups[0]!, option, field, value);
  return groups;
}

function noPositionals(command: string, positionals: string[], hint?: string): void {
  if (positionals.length === 0) return;
  throw new UsageError(
    `${command} takes no arguments, got ${JSON.stringify(positionals[0])}${hint ? `: ${hint}` : ''}`,
  );
}

/** Each `--target`, with the options after it (up to the next `--target`) that describe it. */
function targetsFrom(tokens: ReturnType<typeof parse>['tokens']): TargetFlags[] {
  const targets: TargetFlags[] = [];
  for (const token of tokens) {
    if (token.kind !== 'option' || token.value === undefined) continue;
    if (token.name === 'target') {
      targets.push({ target: token.value });
      continue;
    }
    const field = PER_TARGET[token.name as keyof typeof PER_TARGET];
    if (field === undefined) continue;
    const current = targets.at(-1);
    if (current === undefined) {
      throw new UsageError(`${token.rawName} describes the --target before it: give --target first`);
    }
    if (current[field] !== undefined) {
      throw new UsageError(`${token.rawName} given twice for --target ${shownTarget(current.target)}`);
    }
    current[field] = token.value;
  }
  return targets;
}

function settingsFrom(
  values: Record<string, unknown>,
  context: { env: Invocation['env']; cwd: string; io: Console },
): ReturnType<typeof resolveRunSettings> {
  const flags: SettingFlags = {
    inventory: values.inventory as string | undefined,
    replayFrom: values.replayFrom as string | undefined,
    captures: values.captures as CaptureFlags[] | undefined,
    reports: values.reports as string | undefined,
    concurrency: values.concurrency as string | undefined,
    filter: values.filter as string | undefined,
    shard: values.shard as string | undefined,
    quiet: values.quiet as boolean | undefined,
    rubric: values.rubric as string | undefined,
    gradeScale: values['grade-scale'] as string | undefined,
    labs: values.lab as string[] | undefined,
    profile: values.profile as string | undefined,
    only: values.only as string[] | undefined,
    skip: values.skip as string[] | undefined,
    targets: values.targets as TargetFlags[] | undefined,
    targetConnection: {
      identity: values.identity as string | undefined,
      identityEnv: values['identity-env'] as string | undefined,
      passwordEnv: values['password-env'] as string | undefined,
      knownHosts: values['known-hosts'] as string | undefined,
      acceptNewHostKey: values['accept-new-host-key'] as boolean | undefined,
    },
    lang: values.lang as string | undefined,
    disclose: values.disclose as string | undefined,
  };
  return resolveRunSettings({ flags, env: context.env, cwd: context.cwd, isTTY: context.io.stdout.isTTY ?? false });
}
