import { z } from 'zod';
import { type CommandOutput, COMMAND_NOT_FOUND, defineProbe } from './probe.ts';
import { isMissingFile, oneLine, partOf, splitLines, unparsable } from './text.ts';

/** A value read, or why the host did not tell it (missing file, no such tool): nothing to compare, never a guess. */
const reading = <T extends z.ZodType>(value: T) =>
  z.discriminatedUnion('state', [
    z.object({ state: z.literal('read'), value }),
    z.object({ state: z.literal('unread'), reason: z.string().min(1) }),
  ]);

export const machineIdentityFact = z.object({
  /** /etc/machine-id: 32 lowercase hex digits, made once per installation (systemd-machine-id-setup). */
  machineId: reading(z.string().regex(/^[0-9a-f]{32}$/)),
  /** The hardware address of every interface that is not virtual (not under /sys/devices/virtual: lo, bridges, veth, tun …). */
  macs: reading(z.array(z.object({ interface: z.string().min(1), address: z.string() }))),
  /** The UUID of the filesystem mounted at /, as findmnt knows it from udev/blkid; lowercase. */
  rootFsUuid: reading(z.string().min(1)),
});
export type MachineIdentity = z.infer<typeof machineIdentityFact>;

/** The two globs the MAC part reads; a glob matching nothing reaches grep as itself. */
const INTERFACES = '/sys/class/net/*/address';
const VIRTUAL_INTERFACES = '/sys/devices/virtual/net/*/address';

export const machineIdentityProbe = defineProbe({
  id: 'machine-identity',
  description:
    'What tells one machine from a copy of it, for clone detection: /etc/machine-id, the MAC addresses of non-virtual interfaces (/sys/class/net), and the root filesystem UUID (findmnt).',
  example:
    '{ machineId: { state: "read", value: "3d1219c7c4c5404aaa1f6d2a48adfda4" }, macs: { state: "read", value: [{ interface: "eth0", address: "52:54:00:12:34:56" }] }, rootFsUuid: { state: "unread", reason: "findmnt does not know the UUID of /" } }',
  fileParts: ['machineId', 'macs'],
  commands: () => ({
    machineId: 'cat /etc/machine-id',
    macs: `grep -H '' ${INTERFACES} ${VIRTUAL_INTERFACES}`,
    rootFsUuid: 'findmnt -no UUID /',
  }),
  schema: machineIdentityFact,
  parse(outputs) {
    return machineIdentityFact.parse({
      machineId: parseMachineId(partOf(outputs, 'machineId')),
      macs: parseMacs(partOf(outputs, 'macs')),
      rootFsUuid: parseRootFsUuid(partOf(outputs, 'rootFsUuid')),
    });
  },
});

/**
 * machine-id(5): one line of 32 lowercase hex digits. A missing or empty file, or `uninitialized` (systemd 249+
 * before the first boot completes), is unread: the host has no identity of its own yet. Anything else is Unparsable.
 */
export function parseMachineId(output: CommandOutput & { exitCode: number }) {
  if (isMissingFile(output)) return { state: 'unread', reason: '/etc/machine-id is missing' } as const;
  if (output.exitCode !== 0) throw unparsable(`cat /etc/machine-id exited ${output.exitCode}`, output);
  const lines = splitLines(output.stdout);
  if (lines.length === 0 || (lines.length === 1 && lines[0] === '')) {
    return { state: 'unread', reason: '/etc/machine-id is empty' } as const;
  }
  if (lines.length === 1 && lines[0] === 'uninitialized') {
    return { state: 'unread', reason: '/etc/machine-id is "uninitialized" (first boot not finished)' } as const;
  }
  if (lines.length !== 1 || !/^[0-9a-f]{32}$/.test(lines[0]!)) {
    throw unparsable('/etc/machine-id is not 32 hex digits', output);
  }
  return { state: 'read', value: lines[0]! } as const;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2})+$/;

/**
 * `grep -H '' /sys/class/net/*\/address /sys/devices/virtual/net/*\/address`: `path:address` lines. An interface
 * listed under /sys/devices/virtual is virtual (lo, bridges, veth, tun, bonds) and left out, as is an empty or
 * all-zero address; the rest are the machine's network cards, lowercased. grep exits 2 when a glob matched nothing
 * (it then names the glob itself) or an interface vanished while read: only those errors are accepted; 1 when every
 * file was empty.
 */
export function parseMacs(output: CommandOutput & { exitCode: number }) {
  const errors = splitLines(output.stderr).filter((l) => l.trim() !== '');
  const understood = errors.every((l) =>
    /^grep: \/sys\/(class|devices\/virtual)\/net\/[^/]+\/address: No such/.test(l),
  );
  if (!understood || ![0, 1, 2].includes(output.exitCode)) {
    throw unparsable(`grep exited ${output.exitCode}${errors[0] ? `: ${oneLine(errors[0])}` : ''}`, output);
  }
  const virtual = new Set<string>();
  const found: Array<{ interface: string; address: string }> = [];
  for (const line of splitLines(output.stdout)) {
    const m = /^\/sys\/(class|devices\/virtual)\/net\/([^/]+)\/address:(.*)$/.exec(line);
    if (!m) throw unparsable(`not a /sys/…/net/<interface>/address line: ${line}`, output);
    const [, where, name, value] = m;
    const address = value!.trim().toLowerCase();
    if (address !== '' && !MAC.test(address)) throw unparsable(`not a hardware address: ${line}`, output);
    if (where === 'devices/virtual') virtual.add(name!);
    else if (address !== '' && !/^(00:)+00$/.test(address)) found.push({ interface: name!, address });
  }
  if (!splitLines(output.stdout).some((l) => l.startsWith('/sys/class/net/'))) {
    return { state: 'unread', reason: 'no interface listed in /sys/class/net' } as const;
  }
  return { state: 'read', value: found.filter((f) => !virtual.has(f.interface)) } as const;
}

/**
 * `findmnt -no UUID /`: the UUID on one line. An empty line (no udev database, or a filesystem without UUID: overlay,
 * a container's directory), no findmnt (util-linux missing) or no mount at / are unread; anything else is Unparsable.
 */
export function parseRootFsUuid(output: CommandOutput & { exitCode: number }) {
  if (output.exitCode === COMMAND_NOT_FOUND) return { state: 'unread', reason: 'findmnt is not installed' } as const;
  if (output.exitCode === 1 && output.stdout === '') {
    return { state: 'unread', reason: 'findmnt found no filesystem mounted at /' } as const;
  }
  if (output.exitCode !== 0) throw unparsable(`findmnt exited ${output.exitCode}`, output);
  const lines = splitLines(output.stdout);
  if (lines.length === 1 && lines[0]!.trim() === '') {
    return { state: 'unread', reason: 'findmnt does not know the UUID of / (no udev data, or no UUID)' } as const;
  }
  if (lines.length !== 1 || !/^[0-9A-Za-z-]+$/.test(lines[0]!.trim())) {
    throw unparsable('findmnt did not print one UUID', output);
  }
  return { state: 'read', value: lines[0]!.trim().toLowerCase() } as const;
}
