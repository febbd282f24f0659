import { demoClass, LabError, labDown, labStatus, labUp, scenarios, type LabUpResult } from './index.ts';
import { knownHostsName } from './ssh.ts';
import { MAX_CLASS_LABS } from './topology.ts';

const USAGE = 'usage: labspec lab up [--scenario NAME] [--class N] | lab down | lab status | lab scenarios';

export interface LabCliOptions {
  scenario: string | undefined;
  /** `--class N`: the number of booted student labs. */
  class: string | undefined;
}

/** `labspec lab …`: exit 0 on success, 1 when the lab could not be brought up or down, 2 on usage errors. */
export async function labCli(args: string[], options: LabCliOptions): Promise<number> {
  const log = (message: string) => console.error(message);
  try {
    switch (args[0]) {
      case 'up': {
        const usage = upUsageError(options);
        if (usage) {
          console.error(`labspec lab: ${usage}`);
          return 2;
        }
        const up =
          options.class === undefined
            ? await labUp({ scenario: options.scenario ?? 'compliant', log })
            : await labUp({ class: demoClass(Number(options.class), options.scenario ?? 'drift'), log });
        printUp(up);
        return 0;
      }
      case 'down':
        console.log((await labDown()).removed ? 'lab down: nothing left behind' : 'lab was not up');
        return 0;
      case 'status': {
        const status = await labStatus();
        if (!status.up) {
          console.log('lab is down');
          return 1;
        }
        console.log(
          `lab up since ${status.startedAt} (scenario ${status.scenario}), inventory ${status.inventoryPath}; ` +
            `${status.hosts.length} hosts using ${status.memoryMiB} MiB (PSS)`,
        );
        for (const h of status.hosts)
          console.log(
            `  ${`${h.lab}/${h.name}`.padEnd(22)} ${knownHostsName(h).padEnd(22)} ${h.running ? 'running' : 'stopped'}, ssh ${h.ssh ? 'answers' : 'silent'}`,
          );
        return 0;
      }
      case 'scenarios':
        for (const s of scenarios)
          console.log(
            `${s.name.padEnd(28)} ${s.description}\n${''.padEnd(28)} must fail: ${s.mustFail.join(', ') || 'nothing'}` +
              (s.mustError ? `\n${''.padEnd(28)} must error: ${s.mustError.join(', ')}` : ''),
          );
        return 0;
      default:
        console.error(USAGE);
        return 2;
    }
  } catch (error) {
    if (error instanceof LabError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

/** What is wrong with `lab up`'s options, before anything is torn down or created. */
function upUsageError(options: LabCliOptions): string | undefined {
  if (options.scenario !== undefined && !scenarios.some((s) => s.name === options.scenario))
    return `unknown scenario ${JSON.stringify(options.scenario)}; labspec lab scenarios lists them`;
  if (options.class === undefined) return undefined;
  const size = /^\d+$/.test(options.class) ? Number(options.class) : NaN;
  if (!(size >= 1 && size < MAX_CLASS_LABS))
    return `--class takes a number of labs from 1 to ${MAX_CLASS_LABS - 1}, got ${JSON.stringify(options.class)}`;
  return undefined;
}

function printUp(up: LabUpResult): void {
  const seconds = (up.timings.totalMs / 1000).toFixed(1);
  if (up.scenario !== 'class') {
    console.log(
      `lab up (scenario ${up.scenario}) in ${seconds}s: ${up.hosts.map((h) => `${h.name} ${h.address}`).join(', ')}`,
    );
  } else {
    console.log(`class of ${up.labs.length} labs up in ${seconds}s:`);
    for (const lab of up.labs) {
      const what = lab.unreachable
        ? 'unreachable: nothing listens behind its forwards'
        : `${lab.scenario}${lab.cloneOf ? `, a clone of ${lab.cloneOf} (same machine-ids and SSH host keys)` : ''}`;
      const forwards = lab.hosts.map((h) => `:${h.port} → ${h.name} ${h.labAddress}`).join(', ');
      console.log(`  ${lab.name.padEnd(12)} ${lab.natAddress} ${forwards}  (${what})`);
    }
  }
  console.log(`inventory: ${up.inventoryPath}`);
  console.log(
    `run labspec inside the lab network: ip netns exec labspec npm test  (with LABSPEC_INVENTORY=${up.inventoryPath})`,
  );
}
