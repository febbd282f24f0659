import { join, relative } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { HostFacts } from '../facts/host-facts.ts';
import { readSnapshots, snapshotFileName, writeSnapshots } from '../facts/snapshot.ts';
import { gatherLabs, refreshFacts, type GatheredHost } from '../gather/gather.ts';
import { InventoryError, loadInventory } from '../inventory/load.ts';
import type { LabSettings } from '../inventory/schema.ts';
import { setHostRecords } from '../outputs/run-state.ts';
import { progressReporter } from '../outputs/progress.ts';
import type { HostRecord, RunData } from './run-data.ts';
import { EXIT, runSettings, type RunSettings } from './settings.ts';

/**
 * vitest globalSetup: reads every host once, before any spec file runs, and hands the facts to
 * them. In watch mode every rerun reads the hosts again, so fixing a host and pressing `r` shows it.
 */
export default async function setup(project: TestProject): Promise<void> {
  let settings: RunSettings;
  try {
    settings = runSettings();
  } catch (error) {
    console.error(`labspec: ${(error as Error).message}`);
    process.exit(EXIT.usage);
  }
  await gatherAndProvide(project, settings);
  project.onTestsRerun(() => gatherAndProvide(project, settings));
}

async function gatherAndProvide(project: TestProject, settings: RunSettings): Promise<void> {
  const gathered = settings.replay ? replay(settings.replay) : await gatherLive(settings.inventory, settings.concurrency);
  const factsDir = join(settings.reports, 'facts');
  if (!settings.replay) writeSnapshots(factsDir, gathered);
  const multipleLabs = new Set(gathered.map((g) => g.lab)).size > 1;
  setHostRecords(
    settings.reports,
    gathered.map((g) => hostRecord(g, settings.replay ?? factsDir, multipleLabs)),
  );
  project.provide('labspecRun', runData(gathered));
}

function replay(dir: string): GatheredHost[] {
  try {
    return readSnapshots(dir).map(refreshFacts);
  } catch (error) {
    console.error(`labspec: ${(error as Error).message}`);
    process.exit(EXIT.usage);
  }
}

async function gatherLive(inventoryFile: string, concurrency: number): Promise<GatheredHost[]> {
  let inventory;
  try {
    inventory = loadInventory(inventoryFile);
  } catch (error) {
    if (!(error instanceof InventoryError)) throw error;
    for (const problem of error.problems) console.error(problem);
    console.error(`labspec: invalid inventory, nothing was contacted`);
    process.exit(EXIT.usage);
  }
  const total = inventory.labs.reduce((n, lab) => n + lab.hosts.length, 0);
  const progress = progressReporter(total);
  try {
    return await gatherLabs(inventory.labs, { concurrency, onHostDone: progress.hostDone });
  } finally {
    progress.done();
  }
}

function runData(gathered: GatheredHost[]): RunData {
  const labs = new Map<string, RunData['labs'][number]>();
  for (const g of gathered) {
    const lab = labs.get(g.lab) ?? { settings: g.labSettings as LabSettings, hosts: [] };
    labs.set(g.lab, lab);
    lab.hosts.push({
      identity: { lab: g.lab, ...g.host },
      facts: g.facts as HostFacts,
      unreachable: g.connection.ok ? null : g.connection.message,
    });
  }
  return { labs: [...labs.values()] };
}

function hostRecord(g: GatheredHost, dir: string, multipleLabs: boolean): HostRecord {
  return {
    lab: g.lab,
    host: g.host.name,
    address: g.host.address,
    labAddress: g.host.labAddress,
    role: g.host.role,
    transport: g.transport,
    startedAt: g.startedAt,
    durationMs: g.durationMs,
    connection: g.connection,
    notes: g.notes,
    commands: g.connection.ok ? [g.command, ...g.outputs.map((o) => o.command)] : [],
    snapshot: relative(process.cwd(), join(dir, snapshotFileName(g, multipleLabs))),
  };
}
