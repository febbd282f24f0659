// Lab network: a netns "labspec" with bridge 10.0.0.0/24 (runner 10.0.0.1, no default route),
// and one netns per host joined to the bridge by a veth pair.
import { $ } from 'zx';
import { existsSync } from 'node:fs';
import { LAB_NETNS, RUNNER_ADDRESS } from './util.ts';

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

export async function createLabNetwork(): Promise<void> {
  const ns = LAB_NETNS;
  await $`ip netns add ${ns}`;
  await $`ip -n ${ns} link set lo up`;
  await $`ip -n ${ns} link add ${BRIDGE} type bridge`;
  // Forward immediately; no STP/learning delay on a lab bridge.
  await $`ip -n ${ns} link set ${BRIDGE} type bridge forward_delay 0 stp_state 0`;
  await $`ip -n ${ns} addr add ${RUNNER_ADDRESS}/24 dev ${BRIDGE}`;
  await $`ip -n ${ns} link set ${BRIDGE} up`;
  // Bridged frames must not be subject to any host-side netfilter hooks.
  await $`ip netns exec ${ns} sh -c ${'for f in /proc/sys/net/bridge/bridge-nf-call-*; do [ -w "$f" ] && echo 0 > "$f"; done; true'}`.nothrow();
}

/** Creates the host's netns, a veth pair (eth0 inside, v-<host> on the bridge) and its address. */
export async function attachHost(host: string, address: string): Promise<string> {
  const ns = hostNetns(host);
  const peer = `v-${host}`.slice(0, 15);
  await $`ip netns add ${ns}`;
  await $`ip -n ${LAB_NETNS} link add ${peer} type veth peer name eth0 netns ${ns}`;
  await $`ip -n ${LAB_NETNS} link set ${peer} master ${BRIDGE} up`;
  await $`ip -n ${ns} link set lo up`;
  await $`ip -n ${ns} addr add ${address}/24 dev eth0`;
  await $`ip -n ${ns} link set eth0 up`;
  return netnsPath(ns);
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
