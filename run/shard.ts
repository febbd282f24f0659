import { createHash } from 'node:crypto';
import type { HostSnapshot } from '../facts/snapshot.ts';
import type { HostIdentity, LabSettings } from '../inventory/schema.ts';
import type { Shard } from './settings.ts';

/**
 * The labs of shard `shard.index` of `shard.count`. Labs stay whole, so every shard judges its
 * labs' cross-host checks as an unsharded run would. They are dealt out largest first (inventory
 * order among equals), each to the shard with the fewest hosts so far (the lower-numbered on a
 * tie): a class of equal labs goes round-robin, student1 to shard 1, student2 to shard 2 … One
 * lab cannot be split: all its hosts go to shard 1, and the other shards are empty.
 */
export function shareOf<L extends { hosts: readonly unknown[] }>(labs: readonly L[], shard: Shard): L[] {
  const hostsPerShard = new Array<number>(shard.count).fill(0);
  const shardOf = new Map<L, number>();
  for (const lab of [...labs].sort((a, b) => b.hosts.length - a.hosts.length)) {
    const lightest = hostsPerShard.indexOf(Math.min(...hostsPerShard));
    shardOf.set(lab, lightest + 1);
    hostsPerShard[lightest]! += lab.hosts.length;
  }
  return labs.filter((lab) => shardOf.get(lab) === shard.index);
}

/** What the fingerprint covers of a lab: its expected values and who its hosts are, in inventory order. */
export interface LabOutline {
  settings: LabSettings;
  hosts: ReadonlyArray<Omit<HostIdentity, 'lab'>>;
}

/**
 * Names the inventory the shards were cut from, so `labspec merge` can tell shards of one inventory
 * from shards of two, and see that their snapshots make up all of it. Connection settings are left
 * out: CI machines may reach the same hosts with their own keys.
 */
export function inventoryFingerprint(labs: readonly LabOutline[]): string {
  const outline = labs.map((lab) => ({
    settings: lab.settings,
    // A hostname given explicitly decides whether the image profile judges host.hostname: it is part of the lab.
    hosts: lab.hosts.map(({ name, address, labAddress, role, hostname }) => ({
      name,
      address,
      labAddress,
      role,
      hostname,
    })),
  }));
  return `sha256:${createHash('sha256').update(canonicalJson(outline)).digest('hex')}`;
}

/** The labs the snapshots of a whole inventory make up, in inventory order (the snapshots' positions). */
export function outlineOfSnapshots(snapshots: readonly HostSnapshot[]): LabOutline[] {
  const labs = new Map<string, { settings: LabSettings; hosts: HostSnapshot['host'][] }>();
  for (const snapshot of [...snapshots].sort((a, b) => a.position - b.position)) {
    const lab = labs.get(snapshot.lab) ?? { settings: snapshot.labSettings, hosts: [] };
    lab.hosts.push(snapshot.host);
    labs.set(snapshot.lab, lab);
  }
  return [...labs.values()];
}

/** JSON with every object's keys sorted: the same value hashes the same whatever order it was built in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}
