// The tutorial's two-node topology, the compliant per-host configuration files, and how a set of
// such labs is laid out on this machine: one lab on the runner's own bridge, or a class of labs,
// each behind its own NAT address with a port forward per host, as students' VMs are reached.
import { stringify } from 'yaml';
import { NTP_UPSTREAM, SUBNET, LAB_NETNS, LabError } from './util.ts';

export type Role = 'controller' | 'compute';
export type HostName = 'controller' | 'compute1';

export interface LabHost {
  readonly name: HostName;
  /** The host's address on its lab network (the same in every lab). */
  readonly address: string;
  readonly role: Role;
}

export const LAB_HOSTS: readonly LabHost[] = [
  { name: 'controller', address: '10.0.0.100', role: 'controller' },
  { name: 'compute1', address: '10.0.0.101', role: 'compute' },
];

export function hostsFile(): string {
  return [
    '127.0.0.1   localhost localhost.localdomain localhost4 localhost4.localdomain4',
    '::1         localhost localhost.localdomain localhost6 localhost6.localdomain6',
    '',
    ...LAB_HOSTS.map((h) => `${h.address} ${h.name}`),
    '',
  ].join('\n');
}

const CHRONY_COMMON = [
  'driftfile /var/lib/chrony/chrony.drift',
  'keyfile /etc/chrony/chrony.keys',
  'ntsdumpdir /var/lib/chrony',
  'logdir /var/log/chrony',
  'makestep 1 3',
  'leapsectz right/UTC',
];

export function chronyConf(host: LabHost): string {
  const controller = LAB_HOSTS.find((h) => h.role === 'controller');
  const lines =
    host.role === 'controller'
      ? [
          `# labspec lab: ${host.name} (NTP server for the lab)`,
          `server ${NTP_UPSTREAM} iburst`,
          'local stratum 10',
          `allow ${SUBNET}`,
        ]
      : [
          `# labspec lab: ${host.name} (NTP client of the controller)`,
          `server ${controller?.name ?? 'controller'} iburst`,
        ];
  return [...lines, '', ...CHRONY_COMMON, ''].join('\n');
}

/** One lab to bring up. */
export interface LabPlan {
  /** The lab's (student's) name: a hostname label. */
  readonly name: string;
  /** Scenario applied to this lab's hosts (default `compliant`). */
  readonly scenario?: string;
  /** A lab listed before this one whose hosts' machine-ids and SSH host keys this lab's hosts copy: a cloned VM pair. */
  readonly cloneOf?: string;
  /** Its VMs are off: its NAT address answers, but nothing listens behind its port forwards. Nothing boots. */
  readonly unreachable?: boolean;
}

/** The class network, between the runner and every lab's NAT: the runner and one address per lab. */
export const CLASS_SUBNET = '192.168.100.0/24';
export const CLASS_RUNNER_ADDRESS = '192.168.100.1';
/** Port forwarded on a lab's NAT address to each host's SSH (22). */
export const FORWARDED_PORTS: Readonly<Record<HostName, number>> = { controller: 2201, compute1: 2202 };
/** Labs in one class: each takes an address of the class network, and 8 GB of RAM hold far more containers. */
export const MAX_CLASS_LABS = 40;

/** Where the runner connects to reach a host. */
export interface Reach {
  readonly address: string;
  readonly port: number;
}

export interface UnitLayout {
  readonly host: LabHost;
  /** Unique name of the host's container on this machine: its netns, cgroup, state dir and machine name. */
  readonly unit: string;
  readonly reach: Reach;
}

export interface LabLayout {
  readonly plan: LabPlan;
  readonly scenario: string;
  /** Netns holding the lab's bridge (10.0.0.1); the runner's own netns for a single lab. */
  readonly netns: string;
  /** The lab's address on the class network, with a port forward per host; none for a single lab. */
  readonly nat?: { readonly address: string; readonly forwards: ReadonlyArray<{ port: number; to: string }> };
  /** The containers to boot; empty for an unreachable lab. */
  readonly units: readonly UnitLayout[];
  /** Every host the inventory lists for this lab, booted or not. */
  readonly reaches: readonly UnitLayout[];
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** The single lab: the runner sits on the lab's bridge and connects to 10.0.0.100/101 directly. */
export function singleLayout(scenario: string): LabLayout[] {
  const units = LAB_HOSTS.map((host) => ({ host, unit: host.name, reach: { address: host.address, port: 22 } }));
  return [{ plan: { name: 'local', scenario }, scenario, netns: LAB_NETNS, units, reaches: units }];
}

/** A class: every lab in its own netns and 10.0.0.0/24, reached through its own NAT address. */
export function classLayout(plans: readonly LabPlan[]): LabLayout[] {
  if (plans.length === 0) throw new LabError('labspec lab: a class needs at least one lab');
  if (plans.length > MAX_CLASS_LABS)
    throw new LabError(`labspec lab: at most ${MAX_CLASS_LABS} labs in a class, got ${plans.length}`);
  const seen = new Set<string>();
  return plans.map((plan, i) => {
    if (!LABEL.test(plan.name) || plan.name.length > 40)
      throw new LabError(`labspec lab: lab name '${plan.name}' is not a hostname label of at most 40 characters`);
    if (seen.has(plan.name)) throw new LabError(`labspec lab: lab '${plan.name}' is listed twice`);
    if (plan.cloneOf !== undefined) {
      const source = plans.slice(0, i).find((p) => p.name === plan.cloneOf);
      if (!source || source.unreachable)
        throw new LabError(
          `labspec lab: ${plan.name} clones '${plan.cloneOf}', which is not a booted lab listed before it`,
        );
    }
    seen.add(plan.name);
    const address = `192.168.100.${11 + i}`;
    const reaches = LAB_HOSTS.map((host) => ({
      host,
      unit: `${plan.name}-${host.name}`,
      reach: { address, port: FORWARDED_PORTS[host.name] },
    }));
    return {
      plan,
      scenario: plan.unreachable ? 'unreachable' : (plan.scenario ?? 'compliant'),
      netns: `${LAB_NETNS}-${plan.name}`,
      nat: {
        address,
        forwards: plan.unreachable ? [] : LAB_HOSTS.map((h) => ({ port: FORWARDED_PORTS[h.name], to: h.address })),
      },
      units: plan.unreachable ? [] : reaches,
      reaches,
    };
  });
}

/**
 * `lab up --class N`: every grading state once. student1 … studentN boot; student2 runs the broken
 * scenario, the last one is a clone of student1 (N ≥ 3); student<N+1> is listed but unreachable.
 */
export function demoClass(size: number, brokenScenario: string): LabPlan[] {
  if (!Number.isInteger(size) || size < 1 || size >= MAX_CLASS_LABS)
    throw new LabError(`labspec lab: --class takes a number of labs from 1 to ${MAX_CLASS_LABS - 1}`);
  const plans: LabPlan[] = [];
  for (let i = 1; i <= size; i++) {
    const name = `student${i}`;
    if (i === 2) plans.push({ name, scenario: brokenScenario });
    else if (i === size && size >= 3) plans.push({ name, cloneOf: 'student1' });
    else plans.push({ name });
  }
  plans.push({ name: `student${size + 1}`, unreachable: true });
  return plans;
}

interface InventoryFiles {
  identityFile: string;
  knownHostsFile: string;
}

const labSettings = (name: string) => ({ name, subnet: SUBNET, ntpUpstream: NTP_UPSTREAM });

/** The inventory of what is up: the single lab's `hosts:`, or a class's `labs:` with address, port and labAddress. */
export function inventoryYaml(layouts: readonly LabLayout[], files: InventoryFiles): string {
  const defaults = { user: 'root', port: 22, ...files };
  const [first] = layouts;
  if (layouts.length === 1 && first && !first.nat) {
    return stringify({
      lab: labSettings(first.plan.name),
      defaults,
      hosts: first.reaches.map(({ host }) => ({ name: host.name, address: host.address, role: host.role })),
    });
  }
  return stringify({
    defaults,
    labs: layouts.map((l) => ({
      name: l.plan.name,
      lab: labSettings(l.plan.name),
      hosts: l.reaches.map(({ host, reach }) => ({
        name: host.name,
        address: reach.address,
        port: reach.port,
        labAddress: host.address,
        role: host.role,
      })),
    })),
  });
}
