// Lab network. The runner's netns "labspec" (no default route) is where labspec runs. Each lab has a
// bridge 10.0.0.1/24 with one netns per host joined to it by a veth pair. The single lab's bridge
// is in the runner's netns; in a class, each lab's bridge is in a netns of its own, which is also
// the lab's NAT: an address on the class bridge, with a port forward per host (nftables DNAT).
import { $ } from 'zx';
import { existsSync } from 'node:fs';
import { CLASS_RUNNER_ADDRESS, CLASS_SUBNET, type LabLayout } from './topology.ts';
import { LAB_NETNS, LabError, RUNNER_ADDRESS, SUBNET } from './util.ts';

export const BRIDGE = 'labbr0';
export const CLASS_BRIDGE = 'classbr0';
/** The lab side of its NAT's link to the class bridge. */
const UPLINK = 'uplink';

export function hostNetns(unit: string): string {
  return `${LAB_NETNS}-${unit}`;
}

export function netnsPath(name: string): string {
  return `/run/netns/${name}`;
}

/** Command prefix that runs a program inside the runner's network namespace. */
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

function vethName(host: string): string {
  return `v-${host}`.slice(0, 15);
}

/** The DNAT of a lab's port forwards, and masquerading so its hosts, with no route out, can answer. */
function natRules(nat: NonNullable<LabLayout['nat']>): string {
  return [
    'table ip labspec {',
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    ...nat.forwards.map((f) => `    iifname "${UPLINK}" tcp dport ${f.port} dnat to ${f.to}:22`),
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    oifname "${BRIDGE}" ip saddr != ${SUBNET} masquerade`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * The runner's netns and every lab's network. Per lab: its bridge with the runner-side address
 * 10.0.0.1 (no default route), a netns per host joined to it by a veth pair (eth0 inside the host,
 * v-<host> on the bridge), and in a class the lab's link to the class bridge (up<i> on the runner's
 * side, `uplink` in the lab's netns) with its NAT. One `ip -batch` per namespace.
 */
export async function createNetwork(labs: readonly LabLayout[]): Promise<void> {
  const nats = labs.flatMap((lab, i) => (lab.nat ? [{ lab, nat: lab.nat, link: `up${i + 1}` }] : []));
  const prefix = CLASS_SUBNET.split('/')[1];
  await ipBatch([
    `netns add ${LAB_NETNS}`,
    ...nats.map(({ lab }) => `netns add ${lab.netns}`),
    ...nats.map(
      ({ lab, link }) => `link add ${link} netns ${LAB_NETNS} type veth peer name ${UPLINK} netns ${lab.netns}`,
    ),
    ...labs.flatMap((lab) => lab.units.map((u) => `netns add ${hostNetns(u.unit)}`)),
    ...labs.flatMap((lab) =>
      lab.units.map(
        (u) =>
          `link add ${vethName(u.host.name)} netns ${lab.netns} type veth peer name eth0 netns ${hostNetns(u.unit)}`,
      ),
    ),
  ]);
  await ipBatch(
    [
      'link set lo up',
      ...(nats.length > 0
        ? [
            `link add ${CLASS_BRIDGE} type bridge forward_delay 0 stp_state 0`,
            `addr add ${CLASS_RUNNER_ADDRESS}/${prefix} dev ${CLASS_BRIDGE}`,
            `link set ${CLASS_BRIDGE} up`,
            ...nats.map(({ link }) => `link set ${link} master ${CLASS_BRIDGE} up`),
          ]
        : []),
    ],
    LAB_NETNS,
  );
  await Promise.all([
    ...labs.map((lab) =>
      ipBatch(
        [
          'link set lo up',
          `link add ${BRIDGE} type bridge forward_delay 0 stp_state 0`,
          `addr add ${RUNNER_ADDRESS}/24 dev ${BRIDGE}`,
          `link set ${BRIDGE} up`,
          ...lab.units.map((u) => `link set ${vethName(u.host.name)} master ${BRIDGE} up`),
          ...(lab.nat ? [`addr add ${lab.nat.address}/${prefix} dev ${UPLINK}`, `link set ${UPLINK} up`] : []),
        ],
        lab.netns,
      ),
    ),
    ...labs.flatMap((lab) =>
      lab.units.map((u) =>
        ipBatch(['link set lo up', `addr add ${u.host.address}/24 dev eth0`, 'link set eth0 up'], hostNetns(u.unit)),
      ),
    ),
    ...nats
      .filter(({ nat }) => nat.forwards.length > 0)
      .map(async ({ lab, nat }) => {
        // Forwarding on, in the lab's netns only, then its rules.
        const script = 'echo 1 > /proc/sys/net/ipv4/ip_forward && exec nft -f -';
        const r = await $({ input: natRules(nat) })`ip netns exec ${lab.netns} sh -c ${script}`.nothrow();
        if (r.exitCode !== 0)
          throw new LabError(`labspec lab: ${lab.plan.name}: setting up its NAT failed: ${r.stderr.trim()}`);
      }),
  ]);
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
