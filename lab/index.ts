// Public API of the local lab: labUp / labDown / labStatus / labExecPrefix.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { $ } from 'zx';
import { cgroupPids, labCgroupDirs, labPssKiB } from './cgroups.ts';
import {
  bootDiagnostics,
  bootHost,
  copyHostIdentity,
  killLabProcesses,
  machineId,
  nspawnLeftovers,
  prepareRoot,
  removeLabCgroups,
  stateMounts,
  tcpListening,
  unmountState,
  writeHostConfig,
  type HostSetup,
  type RunningHost,
} from './hosts.ts';
import { ensureImage } from './image.ts';
import { createNetwork, destroyLabNetwork, listLabNetns } from './network.ts';
import { findScenario, scenarioContext, type Scenario } from './scenarios.ts';
import {
  IDENTITY_FILE,
  INVENTORY_FILE,
  KNOWN_HOSTS_FILE,
  generateClientKey,
  generateStudentPassword,
  knownHostsName,
  sshRun,
  writeKnownHosts,
} from './ssh.ts';
import { raiseSysctls, restoreSysctls } from './sysctl.ts';
import { captureFootprint, restoreFootprint, type Footprint } from './footprint.ts';
import {
  LAB_HOSTS,
  classLayout,
  inventoryYaml,
  singleLayout,
  type HostName,
  type LabLayout,
  type LabPlan,
  type Reach,
  type Role,
} from './topology.ts';
import { LabError, STATE_DIR, isAlive, ms, requireRoot, requireTools, sleep } from './util.ts';

export { labExecPrefix } from './network.ts';
export { scenarios, findScenario, type Scenario, type MustFail } from './scenarios.ts';
export { demoClass, type LabPlan } from './topology.ts';
export { LabError, STATE_DIR } from './util.ts';
export { STUDENT_PASSWORD_FILE } from './ssh.ts';

export interface LabUpOptions {
  /** Scenario name of the single lab (default `compliant`). */
  scenario?: string;
  /** A class of labs instead of the single lab: each in its own 10.0.0.0/24 behind its own NAT address. */
  class?: readonly LabPlan[];
  /**
   * Reuse a lab that is already up with the same scenario (or class) and healthy (all hosts answer
   * SSH) instead of recreating it. Default false: every `up` starts from a fresh lab.
   */
  keep?: boolean;
  /** Progress messages (default: silent). */
  log?: (msg: string) => void;
}

export interface LabHostInfo {
  /** The lab it belongs to (`local` for the single lab). */
  lab: string;
  name: string;
  /** Where the runner connects: the host itself on the single lab, the lab's NAT address in a class. */
  address: string;
  port: number;
  /** The host's address on its own lab network. */
  labAddress: string;
  /** Host-side PID of the container's systemd (PID 1 inside); 0 when the lab is unreachable (not booted). */
  pid: number;
  /** /etc/machine-id and the SSH host public key (`ssh-ed25519 AAAA…`); empty when not booted. */
  machineId: string;
  hostKey: string;
}

export interface LabInfo {
  name: string;
  scenario: string;
  cloneOf?: string;
  unreachable: boolean;
  /** The lab's NAT address on the class network (a class only). */
  natAddress?: string;
  hosts: LabHostInfo[];
}

export interface LabTimings {
  /** Tear-down of a previous instance. */
  teardownMs: number;
  /** Image lookup, or first-time debootstrap build. */
  imageMs: number;
  imageBuilt: boolean;
  networkMs: number;
  /** Overlay mounts, per-host config, keys, clones, scenarios. */
  prepareMs: number;
  /** systemd-nspawn start → every container's PID 1 found and cpuinfo bound. */
  bootMs: number;
  /** Boot → every host answers SSH. */
  sshMs: number;
  /** SSH → compute hosts show `^* controller` (only labs whose scenario keeps NTP working). */
  syncMs: number;
  /** Lab creation only (excludes teardown and image build). */
  upMs: number;
  totalMs: number;
}

export interface LabUpResult {
  inventoryPath: string;
  stateDir: string;
  /** The single lab's scenario; `class` for a class. */
  scenario: string;
  labs: LabInfo[];
  /** Every booted host of every lab. */
  hosts: LabHostInfo[];
  timings: LabTimings;
  reused: boolean;
}

export interface LabStatus {
  up: boolean;
  scenario?: string;
  stateDir: string;
  inventoryPath?: string;
  startedAt?: string;
  hosts: Array<LabHostInfo & { running: boolean; ssh: boolean }>;
  /** Memory of every process of the lab's containers (PSS), in MiB. */
  memoryMiB: number;
}

/** What `up` changed on the machine, kept apart from the state so a half-failed up can be undone. */
interface MachineChanges {
  sysctl: Record<string, string>;
  footprint: Footprint;
}

interface LabState {
  scenario: string;
  /** What was asked for, to tell whether `keep` may reuse this lab. */
  request: string;
  startedAt: string;
  image?: string;
  labs: LabInfo[];
  /** Every container started, booted or not yet (for down). */
  hosts: Array<{ unit: string; pid: number; nspawnPid: number }>;
}

const STATE_FILE = `${STATE_DIR}/state.json`;
const CHANGES_FILE = `${STATE_DIR}/machine-changes.json`;

async function readState(): Promise<LabState | undefined> {
  try {
    const state = JSON.parse(await readFile(STATE_FILE, 'utf8')) as Partial<LabState>;
    // A state written before classes existed has no labs: still torn down by its leftovers.
    return { scenario: '', request: '', startedAt: '', labs: [], hosts: [], ...state };
  } catch {
    return undefined;
  }
}

async function writeState(s: LabState): Promise<void> {
  await writeFile(STATE_FILE, JSON.stringify(s, null, 2) + '\n');
}

/** Root, and the tools this operation needs (debootstrap is checked only when an image is built). */
function preflight(op: 'up' | 'down', withNat = false): void {
  requireRoot();
  requireTools(
    op === 'up' ? ['systemd-nspawn', 'ip', 'nsenter', 'ssh-keygen', 'ssh', ...(withNat ? ['nft'] : [])] : ['ip'],
  );
}

const reachOf = (h: { address: string; port: number }): Reach => ({ address: h.address, port: h.port });

async function waitForSsh(hosts: ReadonlyArray<RunningHost & { reach: Reach }>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await Promise.all(
    hosts.map(async (h) => {
      let last = 'sshd is not listening on port 22';
      while (Date.now() < deadline && isAlive(h.pid) && !tcpListening(h.pid, 22)) await sleep(20);
      if (!isAlive(h.pid)) last = 'the container exited';
      while (Date.now() < deadline) {
        const r = await sshRun(h.reach, 'true', 1);
        if (r.ok) return;
        last = r.stderr.trim();
        if (!isAlive(h.pid)) break;
        await sleep(100);
      }
      throw new LabError(
        `labspec lab: ${h.unit} (${knownHostsName(h.reach)}) did not answer SSH: ${last}\n${await bootDiagnostics(h)}`,
      );
    }),
  );
}

/** `^* <controller's lab address>` in `chronyc -n sources` on the compute host. */
async function waitForSync(compute: RunningHost & { reach: Reach }, timeoutMs: number): Promise<void> {
  const controller = LAB_HOSTS.find((h) => h.role === 'controller');
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const r = await sshRun(compute.reach, 'chronyc -n sources', 2);
    last = r.stdout + r.stderr;
    if (new RegExp(`^\\^\\*\\s+${controller?.address.replace(/\./g, '\\.')}\\b`, 'm').test(r.stdout)) return;
    await sleep(250);
  }
  throw new LabError(
    `labspec lab: ${compute.unit} did not sync from the controller within ${timeoutMs / 1000}s; chronyc -n sources:\n${last}\n${await bootDiagnostics(compute)}`,
  );
}

const bootedHosts = (state: LabState): LabHostInfo[] => state.labs.flatMap((l) => (l.unreachable ? [] : l.hosts));

async function healthy(state: LabState): Promise<boolean> {
  const hosts = bootedHosts(state);
  if (hosts.length === 0 || !hosts.every((h) => isAlive(h.pid))) return false;
  const ok = await Promise.all(hosts.map((h) => sshRun(reachOf(h), 'true', 2)));
  return ok.every((r) => r.ok);
}

/**
 * Brings up a fresh lab with its scenario applied, or with `class`, a class of labs side by side,
 * each reached through its own NAT address. Requires root.
 */
export async function labUp(opts: LabUpOptions = {}): Promise<LabUpResult> {
  const t0 = process.hrtime.bigint();
  const log = opts.log ?? (() => {});
  const layouts = opts.class ? classLayout(opts.class) : singleLayout(findScenario(opts.scenario ?? 'compliant').name);
  const isClass = opts.class !== undefined;
  preflight('up', isClass);
  const scenarioOf = new Map<string, Scenario>(
    layouts.filter((l) => !l.plan.unreachable).map((l) => [l.plan.name, findScenario(l.scenario)]),
  );
  const scenarioName = isClass ? 'class' : layouts[0]!.scenario;
  const request = JSON.stringify(isClass ? { class: opts.class } : { scenario: scenarioName });
  const result = (labs: LabInfo[], timings: LabTimings, reused: boolean): LabUpResult => ({
    inventoryPath: INVENTORY_FILE,
    stateDir: STATE_DIR,
    scenario: scenarioName,
    labs,
    hosts: labs.flatMap((l) => (l.unreachable ? [] : l.hosts)),
    timings,
    reused,
  });

  const previous = await readState();
  if (opts.keep && previous && previous.request === request && (await healthy(previous))) {
    const z = {
      teardownMs: 0,
      imageMs: 0,
      imageBuilt: false,
      networkMs: 0,
      prepareMs: 0,
      bootMs: 0,
      sshMs: 0,
      syncMs: 0,
      upMs: 0,
    };
    return result(previous.labs, { ...z, totalMs: ms(t0) }, true);
  }

  let t = process.hrtime.bigint();
  if (previous || (await leftovers()).length > 0) {
    log('tearing down the previous lab');
    await labDown();
  }
  const teardownMs = ms(t);

  t = process.hrtime.bigint();
  const image = await ensureImage(log);
  const imageMs = ms(t);
  const tUp = process.hrtime.bigint();

  const footprint = captureFootprint();
  await mkdir(STATE_DIR, { recursive: true, mode: 0o755 });
  const changes: MachineChanges = { footprint, sysctl: raiseSysctls() };
  await writeFile(CHANGES_FILE, JSON.stringify(changes) + '\n');
  const state: LabState = {
    scenario: scenarioName,
    request,
    startedAt: new Date().toISOString(),
    image: image.hash,
    labs: [],
    hosts: [],
  };
  await writeState(state);

  try {
    t = process.hrtime.bigint();
    await createNetwork(layouts);
    const networkMs = ms(t);

    t = process.hrtime.bigint();
    const clientPub = await generateClientKey();
    const studentPassword = await generateStudentPassword();
    const units = layouts.flatMap((lab) => lab.units.map((u) => ({ lab, ...u })));
    const setups = new Map<string, HostSetup>();
    const hostKeys = new Map<string, string>();
    await Promise.all(
      units.map(async (u) => {
        const s = await prepareRoot(u, image.path);
        setups.set(u.unit, s);
        hostKeys.set(u.unit, await writeHostConfig(s, clientPub, studentPassword));
      }),
    );
    const setupOf = (lab: LabLayout, host: HostName): HostSetup =>
      setups.get(lab.units.find((u) => u.host.name === host)?.unit ?? '') as HostSetup;
    for (const lab of layouts) {
      const source = layouts.find((l) => l.plan.name === lab.plan.cloneOf);
      if (!source) continue;
      for (const u of lab.units)
        hostKeys.set(u.unit, await copyHostIdentity(setupOf(source, u.host.name), setups.get(u.unit) as HostSetup));
    }
    for (const lab of layouts) {
      const scenario = scenarioOf.get(lab.plan.name);
      if (scenario)
        await scenario.apply(
          scenarioContext(new Map(lab.units.map((u) => [u.host.name, setups.get(u.unit) as HostSetup]))),
        );
    }
    await writeKnownHosts(
      units.map((u) => ({
        names: [knownHostsName(u.reach), ...(u.lab.nat ? [] : [u.host.name])],
        publicKey: hostKeys.get(u.unit) as string,
      })),
    );
    await writeFile(
      INVENTORY_FILE,
      inventoryYaml(layouts, { identityFile: IDENTITY_FILE, knownHostsFile: KNOWN_HOSTS_FILE }),
    );
    const prepareMs = ms(t);

    log(
      isClass
        ? `booting ${units.length} hosts of ${layouts.filter((l) => l.units.length > 0).length} labs`
        : `booting ${units.map((u) => u.host.name).join(', ')} (scenario ${scenarioName})`,
    );
    t = process.hrtime.bigint();
    const booted = await Promise.allSettled(units.map((u) => bootHost(setups.get(u.unit) as HostSetup)));
    const running: Array<RunningHost & { reach: Reach; lab: LabLayout; role: Role }> = [];
    for (const [i, b] of booted.entries())
      if (b.status === 'fulfilled')
        running.push({ ...b.value, reach: units[i]!.reach, lab: units[i]!.lab, role: units[i]!.host.role });
    state.hosts = running.map(({ unit, pid, nspawnPid }) => ({ unit, pid, nspawnPid }));
    await writeState(state);
    const failed = booted.find((b): b is PromiseRejectedResult => b.status === 'rejected');
    if (failed) throw failed.reason;
    const bootMs = ms(t);

    t = process.hrtime.bigint();
    await waitForSsh(running, 30_000);
    const sshMs = ms(t);

    t = process.hrtime.bigint();
    const syncing = running.filter(
      (h) =>
        h.role === 'compute' && !scenarioOf.get(h.lab.plan.name)?.mustFail.some((f) => f.endsWith(':chrony.source')),
    );
    await Promise.all(syncing.map((h) => waitForSync(h, 30_000)));
    const syncMs = ms(t);

    state.labs = await Promise.all(
      layouts.map(async (lab) => ({
        name: lab.plan.name,
        scenario: lab.scenario,
        ...(lab.plan.cloneOf ? { cloneOf: lab.plan.cloneOf } : {}),
        unreachable: lab.plan.unreachable ?? false,
        ...(lab.nat ? { natAddress: lab.nat.address } : {}),
        hosts: await Promise.all(
          lab.reaches.map(async (u) => {
            const setup = setups.get(u.unit);
            return {
              lab: lab.plan.name,
              name: u.host.name,
              address: u.reach.address,
              port: u.reach.port,
              labAddress: u.host.address,
              pid: running.find((r) => r.unit === u.unit)?.pid ?? 0,
              machineId: setup ? await machineId(setup) : '',
              hostKey: hostKeys.get(u.unit) ?? '',
            };
          }),
        ),
      })),
    );
    await writeState(state);

    const timings: LabTimings = {
      teardownMs,
      imageMs,
      imageBuilt: image.built,
      networkMs,
      prepareMs,
      bootMs,
      sshMs,
      syncMs,
      upMs: ms(tUp),
      totalMs: ms(t0),
    };
    log(`lab up in ${(timings.upMs / 1000).toFixed(1)}s; inventory ${INVENTORY_FILE}`);
    return result(state.labs, timings, false);
  } catch (e) {
    await labDown().catch(() => {});
    throw e;
  }
}

/** Everything a lab may leave on the machine; empty when the machine is clean. */
export async function leftovers(): Promise<string[]> {
  const out: string[] = [];
  for (const ns of await listLabNetns()) out.push(`netns ${ns}`);
  for (const m of stateMounts()) out.push(`mount ${m}`);
  for (const d of labCgroupDirs()) {
    if (existsSync(d)) out.push(`cgroup ${d}`);
    for (const p of cgroupPids(d)) out.push(`pid ${p}`);
  }
  for (const p of nspawnLeftovers()) out.push(`path ${p}`);
  if (existsSync(STATE_DIR)) out.push(`path ${STATE_DIR}`);
  return out;
}

/** Tears the lab down completely; idempotent. Throws if anything could not be removed. */
export async function labDown(): Promise<{ removed: boolean }> {
  preflight('down');
  const state = await readState();
  const hadSomething = state !== undefined || (await leftovers()).length > 0;
  const left = await killLabProcesses(state?.hosts ?? []);
  if (left.length > 0) throw new LabError(`labspec lab: processes still alive after SIGKILL: ${left.join(' ')}`);
  await removeLabCgroups();
  await unmountState();
  await destroyLabNetwork();
  for (const p of nspawnLeftovers()) await $`rm -rf --one-file-system ${p}`.nothrow();
  let changes: MachineChanges | undefined;
  try {
    changes = JSON.parse(await readFile(CHANGES_FILE, 'utf8')) as MachineChanges;
  } catch {
    changes = undefined;
  }
  if (changes) restoreSysctls(changes.sysctl);
  if (stateMounts().length === 0) await $`rm -rf --one-file-system ${STATE_DIR}`.nothrow();
  if (changes) await restoreFootprint(changes.footprint);
  const rest = await leftovers();
  if (rest.length > 0) throw new LabError(`labspec lab: down left behind: ${rest.join(', ')}`);
  return { removed: hadSomething };
}

/** Whether the lab is up, and per booted host: container alive and SSH answering. */
export async function labStatus(): Promise<LabStatus> {
  requireRoot();
  const state = await readState();
  if (!state) return { up: false, stateDir: STATE_DIR, hosts: [], memoryMiB: 0 };
  const hosts = await Promise.all(
    bootedHosts(state).map(async (h) => {
      const running = isAlive(h.pid);
      const ssh = running ? (await sshRun(reachOf(h), 'true', 2)).ok : false;
      return { ...h, running, ssh };
    }),
  );
  return {
    up: hosts.length > 0 && hosts.every((h) => h.running && h.ssh),
    scenario: state.scenario,
    stateDir: STATE_DIR,
    inventoryPath: INVENTORY_FILE,
    startedAt: state.startedAt,
    hosts,
    memoryMiB: Math.round(labPssKiB() / 1024),
  };
}
