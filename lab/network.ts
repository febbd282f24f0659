// Lab network: a netns "labspec" with bridge 10.0.0.0/24 (runner 10.0.0.1, no default route),
// and one netns per host joined to the bridge by a veth pair.
import { $ } from 'zx';
import { existsSync } from 'node:fs';
import { LAB_NETNS, LabError, RUNNER_ADDRESS } from './util.ts';

export const BRIDGE = 'labbr0';

export function hostNetns(host: string): string {
  return `${LAB_NETNS}-${host}`;
}

export function netnsPath(name: string): string {
  return `/run/netns/${name}`;
}

/** Command prefix that runs a program inside the lab network namespace. */
export function labExecPrefix(): string[] {
  return ['ip', 'netns', 'exec', LAB_NETNS];
}

export async function listLabNetns(): Promise<string[]> {
  const out = (await $`ip netns list`.nothrow()).stdout;
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n === LAB_NETNS || n.startsWith(`${LAB_NETNS}-`));
}

/** Runs `ip -batch` (one process for many commands), optionally inside a netns. */
async function ipBatch(lines: readonly string[], netns?: string): Promise<void> {
  const args = netns ? ['-n', netns, '-batch', '-'] : ['-batch', '-'];
  const r = await $({ input: lines.join('\n') + '\n' })`ip ${args}`.nothrow();
  if (r.exitCode !== 0)
    throw new LabError(`labspec lab: network setup failed (ip ${args.join(' ')}): ${r.stderr.trim()}`);
}

export interface NetHost {
  readonly name: string;
  readonly address: string;
}

function vethName(host: string): string {
  return `v-${host}`.slice(0, 15);
}

/**
 * Creates the lab netns with its bridge (runner address, no default route) and, per host, a netns
 * joined to the bridge by a veth pair (eth0 inside the host, v-<host> on the bridge).
 */
export async function createLabNetwork(hosts: readonly NetHost[]): Promise<void> {
  await ipBatch([
    `netns add ${LAB_NETNS}`,
    ...hosts.map((h) => `netns add ${hostNetns(h.name)}`),
    ...hosts.map(
      (h) => `link add ${vethName(h.name)} netns ${LAB_NETNS} type veth peer name eth0 netns ${hostNetns(h.name)}`,
    ),
  ]);
  await ipBatch(
    [
      'link set lo up',
      `link add ${BRIDGE} type bridge forward_delay 0 stp_state 0`,
      `addr add ${RUNNER_ADDRESS}/24 dev ${BRIDGE}`,
      `link set ${BRIDGE} up`,
      ...hosts.map((h) => `link set ${vethName(h.name)} master ${BRIDGE} up`),
    ],
    LAB_NETNS,
  );
  await Promise.all(
    hosts.map((h) =>
      ipBatch(['link set lo up', `addr add ${h.address}/24 dev eth0`, 'link set eth0 up'], hostNetns(h.name)),
    ),
  );
}

/** Deletes every lab netns (their veths go with them). Processes must be gone first. */
export async function destroyLabNetwork(): Promise<void> {
  for (const ns of await listLabNetns()) {
    await $`ip netns del ${ns}`.nothrow();
  }
  for (const ns of await listLabNetns()) {
    if (existsSync(netnsPath(ns))) await $`ip netns del ${ns}`.nothrow();
  }
}
