import { LabError, labDown, labStatus, labUp, scenarios } from './index.ts';

const USAGE = 'usage: labspec lab up [--scenario NAME] | lab down | lab status | lab scenarios';

/** `labspec lab …`: exit 0 on success, 1 when the lab could not be brought up or down, 2 on usage errors. */
export async function labCli(args: string[], options: { scenario: string | undefined }): Promise<number> {
  const log = (message: string) => console.error(message);
  try {
    switch (args[0]) {
      case 'up': {
        const up = await labUp({ scenario: options.scenario ?? 'compliant', log });
        console.log(
          `lab up (scenario ${up.scenario}) in ${(up.timings.totalMs / 1000).toFixed(1)}s: ${up.hosts.map((h) => `${h.name} ${h.address}`).join(', ')}`,
        );
        console.log(`inventory: ${up.inventoryPath}`);
        console.log(
          `run labspec inside the lab network: ip netns exec labspec npm test  (with LABSPEC_INVENTORY=${up.inventoryPath})`,
        );
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
          `lab up since ${status.startedAt} (scenario ${status.scenario}), inventory ${status.inventoryPath}`,
        );
        for (const h of status.hosts)
          console.log(
            `  ${h.name.padEnd(10)} ${h.address.padEnd(12)} ${h.running ? 'running' : 'stopped'}, ssh ${h.ssh ? 'answers' : 'silent'}`,
          );
        return 0;
      }
      case 'scenarios':
        for (const s of scenarios)
          console.log(
            `${s.name.padEnd(28)} ${s.description}\n${''.padEnd(28)} must fail: ${s.mustFail.join(', ') || 'nothing'}`,
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
