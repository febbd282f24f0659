import {
  CaptureError,
  offlineBundle,
  parseCapture,
  readCaptureFile,
  snapshotFromCapture,
  type BundleIdentity,
  type BundleSettings,
  type Capture,
} from '../gather/capture.ts';
import { DEFAULT_PROBE_OUTPUT_LIMIT } from '../gather/bundle.ts';
import type { GatheredHost } from '../gather/gather.ts';
import {
  bytesOfMiB,
  InventoryError,
  loadInventory,
  type HostSpec,
  type Inventory,
  type Lab,
} from '../inventory/load.ts';
import { hostName, role, singleLab, type HostIdentity, type LabSettings } from '../inventory/schema.ts';
import { labPeers } from '../probes/chrony-accheck.ts';
import { syncSource } from '../probes/chrony-sources.ts';
import { z } from 'zod';
import { EXIT } from './exit-codes.ts';
import type { Console } from './run.ts';
import { UsageError, type CaptureSource } from './settings.ts';

/** `labspec bundle`: the bundle on stdout; an invalid inventory is one line per problem and exit 2, as for a run. */
export function printBundle(request: BundleRequest, labspecVersion: string, io: Console): number {
  let text: string;
  try {
    text = makeBundle(request, labspecVersion);
  } catch (error) {
    if (!(error instanceof InventoryError)) throw error;
    for (const problem of error.problems) io.stderr.write(`${problem}\n`);
    io.stderr.write('labspec: invalid inventory, no bundle was made\n');
    return EXIT.usage;
  }
  io.stdout.write(text);
  return EXIT.ok;
}

/** What `labspec bundle` is told on its command line. */
export interface BundleRequest {
  inventory?: string | undefined;
  name?: string | undefined;
  lab?: string | undefined;
  role?: string | undefined;
  address?: string | undefined;
  peers?: string[] | undefined;
  syncSource?: string | undefined;
  chronySyncWait?: string | undefined;
  maxProbeOutputMiB?: string | undefined;
}

/**
 * The offline bundle for one host. With an inventory, everything comes from it: the host (--name,
 * --lab when several labs have one of that name), its role, the peers its chronyd is asked about (its
 * lab's compute nodes) or the controller a compute's chronyd should select, chronySyncWaitSeconds and
 * maxProbeOutputMiB. Without one, from the flags.
 */
export function makeBundle(request: BundleRequest, labspecVersion: string): string {
  if (request.inventory !== undefined) {
    const { lab, host } = inventoryHost(loadInventory(request.inventory), request);
    for (const [flag, value] of [
      ['--lab-address', request.address],
      ['--peer', request.peers?.[0]],
      ['--sync-source', request.syncSource],
      ['--chrony-sync-wait', request.chronySyncWait],
      ['--max-probe-output-mib', request.maxProbeOutputMiB],
    ] as const) {
      if (value !== undefined)
        throw new UsageError(`${flag}: comes from the inventory when --inventory is given; leave it out`);
    }
    if (request.role !== undefined && request.role !== host.role)
      throw new UsageError(`--role ${request.role}: ${host.name} is a ${host.role} in ${request.inventory}`);
    const settings: BundleSettings = {
      role: host.role,
      peers: labPeers(host, lab.hosts),
      syncSource: syncSource(host, lab.hosts),
      chronySyncWaitSeconds: lab.settings.chronySyncWaitSeconds,
      probeOutputLimitBytes: bytesOfMiB(host.connection.maxProbeOutputMiB),
    };
    return offlineBundle(
      settings,
      { lab: lab.settings.name, name: host.name, address: host.labAddress },
      labspecVersion,
    );
  }
  if (request.role === undefined)
    throw new UsageError('bundle needs --role controller|compute, or --inventory FILE --name HOST');
  const hostRole = flag('--role', request.role, role, 'controller or compute');
  const peers = (request.peers ?? []).map((peer) => flag('--peer', peer, z.ipv4(), 'an IPv4 address'));
  if (hostRole === 'compute' && peers.length > 0)
    throw new UsageError("--peer: only a controller's chronyd is asked about its compute nodes");
  const source =
    request.syncSource === undefined
      ? undefined
      : flag('--sync-source', request.syncSource, z.ipv4(), 'an IPv4 address');
  if (hostRole === 'controller' && source !== undefined)
    throw new UsageError("--sync-source: only a compute node's chronyd syncs from the controller");
  const identity: BundleIdentity = {};
  if (request.name !== undefined)
    identity.name = flag('--name', request.name, hostName, 'a host name such as compute1');
  if (request.lab !== undefined) identity.lab = flag('--lab', request.lab, hostName, 'a lab name such as student3');
  if (request.address !== undefined)
    identity.address = flag('--lab-address', request.address, z.ipv4(), 'an IPv4 address such as 10.0.0.101');
  const settings: BundleSettings = {
    role: hostRole,
    peers,
    syncSource: source,
    chronySyncWaitSeconds:
      request.chronySyncWait === undefined
        ? LAB_DEFAULTS.chronySyncWaitSeconds
        : flag('--chrony-sync-wait', request.chronySyncWait, wholeNumber.max(120), 'whole seconds from 0 to 120'),
    probeOutputLimitBytes:
      request.maxProbeOutputMiB === undefined
        ? DEFAULT_PROBE_OUTPUT_LIMIT
        : bytesOfMiB(
            flag(
              '--max-probe-output-mib',
              request.maxProbeOutputMiB,
              mebibytes,
              'a number of MiB above 0, at most 1024',
            ),
          ),
  };
  return offlineBundle(settings, identity, labspecVersion);
}

const wholeNumber = z.coerce.number().int().min(0);
const mebibytes = z.coerce.number().positive().max(1024);

function flag<T>(name: string, text: string, schema: z.ZodType<T>, expected: string): T {
  const parsed = schema.safeParse(text);
  if (!parsed.success || text.trim() === '')
    throw new UsageError(`${name}: expected ${expected}, got ${JSON.stringify(text)}`);
  return parsed.data;
}

/** The tutorial's lab settings: what a lab is judged against when no inventory is given. */
const LAB_DEFAULTS = singleLab.shape.lab.parse(undefined);

function inventoryHost(
  inventory: Inventory,
  wanted: { name?: string | undefined; lab?: string | undefined },
): { lab: Lab; host: HostSpec } {
  if (wanted.name === undefined) throw new UsageError(`give the host with --name HOST (a host of ${inventory.file})`);
  const labs = wanted.lab === undefined ? inventory.labs : inventory.labs.filter((l) => l.settings.name === wanted.lab);
  if (labs.length === 0) throw new UsageError(`--lab ${wanted.lab}: no such lab in ${inventory.file}`);
  const matches = labs.flatMap((lab) => lab.hosts.filter((h) => h.name === wanted.name).map((host) => ({ lab, host })));
  if (matches.length === 0) throw new UsageError(`--name ${wanted.name}: no such host in ${inventory.file}`);
  if (matches.length > 1) {
    const names = matches.map((m) => m.lab.settings.name).join(', ');
    throw new UsageError(`--name ${wanted.name}: a host of several labs (${names}); say which with --lab LAB`);
  }
  return matches[0]!;
}

/**
 * Every capture as a gathered host, grouped into labs by name so cross-host checks see them
 * together. A capture that cannot be used at all, or whose host cannot be named, is a CaptureError;
 * one that is cut or edited becomes a host that could not be read, with the reason on every check.
 */
export function gatherCaptures(
  sources: readonly CaptureSource[],
  inventory: Inventory | null,
  runId: string,
): { gathered: GatheredHost[]; multipleLabs: boolean } {
  const seen = new Map<string, string>();
  const hosts = sources.map(checkedSource).map((source, index) => {
    const capture = parseCapture(readCaptureFile(source.file), source.file);
    const placed = inventory === null ? fromFlags(capture, source, index) : fromInventory(capture, source, inventory);
    const key = `${placed.host.lab}/${placed.host.name}`;
    const other = seen.get(key);
    if (other !== undefined) throw new CaptureError(`${source.file}: ${key} is also the host of ${other}`);
    seen.set(key, source.file);
    return { capture, ...placed };
  });
  // Reported in inventory order (or the order given), as a live run and a replay report them.
  const gathered = hosts
    .map(({ capture, host, labSettings, position }) =>
      snapshotFromCapture(capture, { host, labSettings, position, runId }),
    )
    .sort((a, b) => a.position - b.position);
  // Hosts are named `<lab>/<host>` as in a live run of the same inventory, whichever labs were captured.
  const multipleLabs = inventory === null ? new Set(gathered.map((g) => g.lab)).size > 1 : inventory.labs.length > 1;
  return { gathered, multipleLabs };
}

/** What the command line says of a capture's host, checked: a CaptureSource with its role known to be one. */
type CheckedSource = Omit<CaptureSource, 'role'> & { role?: HostIdentity['role'] };

function checkedSource(source: CaptureSource): CheckedSource {
  const checked: CheckedSource = { file: source.file };
  if (source.name !== undefined) checked.name = flag('--name', source.name, hostName, 'a host name such as compute1');
  if (source.lab !== undefined) checked.lab = flag('--lab', source.lab, hostName, 'a lab name such as student3');
  if (source.role !== undefined) checked.role = flag('--role', source.role, role, 'controller or compute');
  if (source.address !== undefined)
    checked.address = flag('--lab-address', source.address, z.ipv4(), 'an IPv4 address such as 10.0.0.101');
  if (source.hostname !== undefined)
    checked.hostname = flag('--hostname', source.hostname, hostName, 'a host name such as compute1');
  return checked;
}

interface PlacedHost {
  host: HostIdentity;
  labSettings: LabSettings;
  position: number;
}

function roleOf(capture: Capture, source: CheckedSource): HostIdentity['role'] {
  if (source.role !== undefined && source.role !== capture.header.role) {
    throw new CaptureError(
      `${capture.file}: --role ${source.role}, but the bundle was made for a ${capture.header.role} (the probes differ by role)`,
    );
  }
  return capture.header.role;
}

function fromFlags(capture: Capture, source: CheckedSource, index: number): PlacedHost {
  const name = source.name ?? capture.header.name;
  if (name === undefined)
    throw new CaptureError(`${capture.file}: no host name in the capture: give --name NAME after the capture`);
  const labAddress = source.address ?? capture.header.address;
  if (labAddress === undefined) {
    throw new CaptureError(
      `${capture.file}: no lab address in the capture: give --lab-address IP after the capture (the address ${name} has, or will have, on the lab network)`,
    );
  }
  const lab = source.lab ?? capture.header.lab ?? 'default';
  return {
    host: {
      lab,
      name,
      address: labAddress,
      labAddress,
      role: roleOf(capture, source),
      ...(source.hostname !== undefined ? { hostname: source.hostname } : {}),
    },
    // The capture says how long its compute waited for chronyd; the report must say the same.
    labSettings: { ...LAB_DEFAULTS, name: lab, chronySyncWaitSeconds: capture.header.chronySyncWaitSeconds },
    position: index,
  };
}

function fromInventory(capture: Capture, source: CheckedSource, inventory: Inventory): PlacedHost {
  const name = source.name ?? capture.header.name;
  if (name === undefined)
    throw new CaptureError(`${capture.file}: no host name in the capture: give --name NAME after the capture`);
  let found: { lab: Lab; host: HostSpec };
  try {
    found = inventoryHost(inventory, { name, lab: source.lab ?? capture.header.lab });
  } catch (error) {
    if (error instanceof UsageError) throw new CaptureError(`${capture.file}: ${error.message}`);
    throw error;
  }
  const { lab, host } = found;
  const hostRole = roleOf(capture, source);
  if (hostRole !== host.role)
    throw new CaptureError(
      `${capture.file}: the bundle was made for a ${hostRole}; ${host.name} is a ${host.role} in ${inventory.file}`,
    );
  if (source.address !== undefined && source.address !== host.labAddress) {
    throw new CaptureError(
      `${capture.file}: --lab-address ${source.address}, but ${host.name}'s lab address in ${inventory.file} is ${host.labAddress}`,
    );
  }
  if (source.hostname !== undefined && host.hostname !== undefined && source.hostname !== host.hostname) {
    throw new CaptureError(
      `${capture.file}: --hostname ${source.hostname}, but ${host.name}'s hostname in ${inventory.file} is ${host.hostname}`,
    );
  }
  const hostname = source.hostname ?? host.hostname;
  const position = inventory.labs.flatMap((l) => l.hosts).indexOf(host);
  return {
    host: {
      lab: host.lab,
      name: host.name,
      address: host.address,
      labAddress: host.labAddress,
      role: host.role,
      ...(hostname !== undefined ? { hostname } : {}),
    },
    labSettings: lab.settings,
    position,
  };
}
