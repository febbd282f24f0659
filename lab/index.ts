// Public API of the local lab: labUp / labDown / labStatus / labExecPrefix.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { $ } from 'zx';
import { cgroupPids, labCgroupDirs } from './cgroups.ts';
import {
  bootDiagnostics,
  bootHost,
  killLabProcesses,
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
import { createLabNetwork, destroyLabNetwork, listLabNetns } from './network.ts';
import { findScenario, scenarioContext, type Scenario } from './scenarios.ts';
import {
  IDENTITY_FILE,
  INVENTORY_FILE,
  KNOWN_HOSTS_FILE,
  generateClientKey,
  generateStudentPassword,
  sshRun,
  writeKnownHosts,
} from './ssh.ts';
import { raiseSysctls, restoreSysctls } from './sysctl.ts';
import { captureFootprint, restoreFootprint, type Footprint } from './footprint.ts';
import { LAB_HOSTS, inventoryYaml, type HostName } from './topology.ts';
import { LabError, STATE_DIR, isAlive, ms, requireRoot, requireTools, sleep } from './util.ts';

export { labExecPrefix } from './network.ts';
export { scenarios, findScenario, type Scenario, type MustFail } from './scenarios.ts';
export { LabError, STATE_DIR } from './util.ts';
export { STUDENT_PASSWORD_FILE } from './ssh.ts';

export interface LabUpOptions {
  /** Scenario name (default `compliant`). */
  scenario?: string;
  /**
   * Reuse a lab that is already up with the same scenario and healthy (all hosts answer SSH)
   * instead of recreating it. Default false: every `up` starts from a fresh lab.
   */
  keep?: boolean;
  /** Progress messages (default: silent). */
  log?: (msg: string) => void;
}

export interface LabHostInfo {
  name: string;
  address: string;
  /** Host-side PID of the container's systemd (PID 1 inside). */
  pid: number;
}

export interface LabTimings {
  /** Tear-down of a previous instance. */
  teardownMs: number;
  /** Image lookup, or first-time debootstrap build. */
  imageMs: number;
  imageBuilt: boolean;
  networkMs: number;
  /** Overlay mounts, per-host config, keys, scenario. */
  prepareMs: number;
  /** systemd-nspawn start → container PID 1 found and cpuinfo bound. */
  bootMs: number;
  /** Boot → every host answers SSH. */
  sshMs: number;
  /** SSH → compute hosts show `^* controller` (0 when the scenario breaks NTP). */
  syncMs: number;
  /** Lab creation only (excludes teardown and image build). */
  upMs: number;
  totalMs: number;
}

export interface LabUpResult {
  inventoryPath: string;
  stateDir: string;
  scenario: string;
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
}

/** What `up` changed on the machine, kept apart from the state so a half-failed up can be undone. */
interface MachineChanges {
  sysctl: Record<string, string>;
  footprint: Footprint;
}

interface LabState {
  scenario: string;
  startedAt: string;
  image?: string;
  hosts: Array<{ name: string; address: string; pid: number; nspawnPid: number }>;
}

const STATE_FILE = `${STATE_DIR}/state.json`;
const CHANGES_FILE = `${STATE_DIR}/machine-changes.json`;

async function readState(): Promise<LabState | undefined> {
  try {
    return JSON.parse(await readFile(STATE_FILE, 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

async function writeState(s: LabState): Promise<void> {
  await writeFile(STATE_FILE, JSON.stringify(s, null, 2) + '\n');
}

/** Root, and the tools this operation needs (debootstrap is checked only when an image is built). */
function preflight(op: 'up' | 'down'): void {
  requireRoot();
  requireTools(op === 'up' ? ['systemd-nspawn', 'ip', 'nsenter', 'ssh-keygen', 'ssh'] : ['ip']);
}

async function waitForSsh(hosts: readonly RunningHost[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await Promise.all(
    hosts.map(async (h) => {
      let last = 'sshd is not listening on port 22';
      while (Date.now() < deadline && isAlive(h.pid) && !tcpListening(h.pid, 22)) await sleep(20);
      if (!isAlive(h.pid)) last = 'the container exited';
      while (Date.now() < deadline) {
        const r = await sshRun(h.address, 'true', 1);
        if (r.ok) return;
        last = r.stderr.trim();
        if (!isAlive(h.pid)) break;
        await sleep(100);
      }
      throw new LabError(
        `labspec lab: ${h.name} (${h.address}) did not answer SSH: ${last}\n${await bootDiagnostics(h)}`,
      );
    }),
  );
}

/** `^* <controller address>` in `chronyc -n sources` on every compute host. */
async function waitForSync(hosts: readonly RunningHost[], timeoutMs: number): Promise<void> {
  const controller = LAB_HOSTS.find((h) => h.role === 'controller');
  const computes = LAB_HOSTS.filter((h) => h.role === 'compute');
  const deadline = Date.now() + timeoutMs;
  await Promise.all(
    computes.map(async (c) => {
      let last = '';
      while (Date.now() < deadline) {
        const r = await sshRun(c.address, 'chronyc -n sources', 2);
        last = r.stdout + r.stderr;
        if (new RegExp(`^\\^\\*\\s+${controller?.address.replace(/\./g, '\\.')}\\b`, 'm').test(r.stdout)) return;
        await sleep(250);
      }
      const running = hosts.find((h) => h.name === c.name);
      throw new LabError(
        `labspec lab: ${c.name} did not sync from the controller within ${timeoutMs / 1000}s; chronyc -n sources:\n${last}` +
          (running ? `\n${await bootDiagnostics(running)}` : ''),
      );
    }),
  );
}

async function healthy(state: LabState): Promise<boolean> {
  if (!state.hosts.every((h) => isAlive(h.pid))) return false;
  const ok = await Promise.all(state.hosts.map((h) => sshRun(h.address, 'true', 2)));
  return ok.every((r) => r.ok);
}

/** Brings up a fresh two-node lab with the given scenario applied. Requires root. */
export async function labUp(opts: LabUpOptions = {}): Promise<LabUpResult> {
  const t0 = process.hrtime.bigint();
  const log = opts.log ?? (() => {});
  preflight('up');
  const scenario: Scenario = findScenario(opts.scenario ?? 'compliant');
  const result = (hosts: LabHostInfo[], timings: LabTimings, reused: boolean): LabUpResult => ({
    inventoryPath: INVENTORY_FILE,
    stateDir: STATE_DIR,
    scenario: scenario.name,
    hosts,
    timings,
    reused,
  });

  const previous = await readState();
  if (opts.keep && previous && previous.scenario === scenario.name && (await healthy(previous))) {
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
    return result(
      previous.hosts.map(({ name, address, pid }) => ({ name, address, pid })),
      { ...z, totalMs: ms(t0) },
      true,
    );
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
    scenario: scenario.name,
    startedAt: new Date().toISOString(),
    image: image.hash,
    hosts: [],
  };
  await writeState(state);

  const running: RunningHost[] = [];
  try {
    t = process.hrtime.bigint();
    await createLabNetwork(LAB_HOSTS);
    const networkMs = ms(t);

    t = process.hrtime.bigint();
    const clientPub = await generateClientKey();
    const studentPassword = await generateStudentPassword();
    const setups = new Map<HostName, HostSetup>();
    const hostKeys = new Map<string, string>();
    await Promise.all(
      LAB_HOSTS.map(async (h) => {
        const s = await prepareRoot(h, image.path);
        setups.set(h.name, s);
        hostKeys.set(h.name, await writeHostConfig(s, clientPub, studentPassword));
      }),
    );
    await scenario.apply(scenarioContext(setups));
    await writeKnownHosts(hostKeys);
    await writeFile(INVENTORY_FILE, inventoryYaml({ identityFile: IDENTITY_FILE, knownHostsFile: KNOWN_HOSTS_FILE }));
    const prepareMs = ms(t);

    log(`booting ${LAB_HOSTS.map((h) => h.name).join(', ')} (scenario ${scenario.name})`);
    t = process.hrtime.bigint();
    const booted = await Promise.allSettled(LAB_HOSTS.map((h) => bootHost(setups.get(h.name) as HostSetup)));
    for (const b of booted) if (b.status === 'fulfilled') running.push(b.value);
    state.hosts = running.map(({ name, address, pid, nspawnPid }) => ({ name, address, pid, nspawnPid }));
    await writeState(state);
    const failed = booted.find((b): b is PromiseRejectedResult => b.status === 'rejected');
    if (failed) throw failed.reason;
    const bootMs = ms(t);

    t = process.hrtime.bigint();
    await waitForSsh(running, 30_000);
    const sshMs = ms(t);

    t = process.hrtime.bigint();
    if (!scenario.mustFail.some((f) => f.endsWith(':chrony.source'))) await waitForSync(running, 30_000);
    const syncMs = ms(t);

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
    return result(
      running.map(({ name, address, pid }) => ({ name, address, pid })),
      timings,
      false,
    );
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
  for (const p of nspawnLeftovers(LAB_HOSTS.map((h) => h.name))) out.push(`path ${p}`);
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
  for (const p of nspawnLeftovers(LAB_HOSTS.map((h) => h.name))) await $`rm -rf --one-file-system ${p}`.nothrow();
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

/** Whether the lab is up, and per host: container alive and SSH answering. */
export async function labStatus(): Promise<LabStatus> {
  requireRoot();
  const state = await readState();
  if (!state) return { up: false, stateDir: STATE_DIR, hosts: [] };
  const hosts = await Promise.all(
    state.hosts.map(async (h) => {
      const running = isAlive(h.pid);
      const ssh = running ? (await sshRun(h.address, 'true', 2)).ok : false;
      return { name: h.name, address: h.address, pid: h.pid, running, ssh };
    }),
  );
  return {
    up: hosts.length === LAB_HOSTS.length && hosts.every((h) => h.running && h.ssh),
    scenario: state.scenario,
    stateDir: STATE_DIR,
    inventoryPath: INVENTORY_FILE,
    startedAt: state.startedAt,
    hosts,
  };
}
