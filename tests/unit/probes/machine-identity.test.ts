import { describe, expect, it } from 'vitest';
import { machineIdentityProbe, parseMachineId, parseMacs, parseRootFsUuid } from '../../../probes/machine-identity.ts';
import type { CommandOutput } from '../../../probes/probe.ts';
import { corpus, debianHost, expectUnparsable, HOSTILE, ok as okOutput, run as runOutput } from './fixtures.ts';

/** Finished parts, as partOf hands them to the part parsers. */
const ok = (stdout: string) => finished(okOutput(stdout));
const run = (stdout: string, stderr: string, exitCode: number) => finished(runOutput(stdout, stderr, exitCode));
const finished = (output: CommandOutput) => ({ ...output, exitCode: output.exitCode! });

describe('machine-identity', () => {
  it('this Debian 12 machine: its machine-id, eth0 (virtio, under /sys/devices/pci…) only, no root filesystem UUID known', () => {
    expect(machineIdentityProbe.parse(debianHost('machineIdentity'))).toEqual({
      machineId: { state: 'read', value: '3d1219c7c4c5404aaa1f6d2a48adfda4' },
      // ifb0, ifb1 and lo are listed under /sys/devices/virtual/net, so left out; lo is all zeros anyway.
      macs: { state: 'read', value: [{ interface: 'eth0', address: '02:fc:00:00:00:01' }] },
      rootFsUuid: { state: 'unread', reason: 'findmnt does not know the UUID of / (no udev data, or no UUID)' },
    });
  });

  it("labspec's local lab (systemd-nspawn, its own netns): its machine-id; eth0 is a veth, so virtual: no MAC counts", () => {
    for (const [host, machineId] of [
      ['controller', 'd86da54ccb2fb182cf6275a2981be74a'],
      ['compute1', 'd1e3f269c1180a51b2a446513e11912b'],
    ] as const) {
      const outputs = JSON.parse(
        corpus('identity', `machine-identity__labspec-lab-debian12-nspawn-${host}.json`),
      ) as Record<string, CommandOutput>;
      expect(machineIdentityProbe.parse(outputs)).toEqual({
        machineId: { state: 'read', value: machineId },
        macs: { state: 'read', value: [] },
        rootFsUuid: { state: 'unread', reason: 'findmnt does not know the UUID of / (no udev data, or no UUID)' },
      });
    }
  });

  it('the commands are fixed and read only files and findmnt', () => {
    expect(machineIdentityProbe.commands({ role: 'compute', chronySyncWaitSeconds: 10 })).toEqual({
      machineId: 'cat /etc/machine-id',
      macs: "grep -H '' /sys/class/net/*/address /sys/devices/virtual/net/*/address",
      rootFsUuid: 'findmnt -no UUID /',
    });
  });

  describe('machine-id', () => {
    it('missing, empty or uninitialized: unread, with the reason', () => {
      expect(parseMachineId(run('', 'cat: /etc/machine-id: No such file or directory\n', 1))).toEqual({
        state: 'unread',
        reason: '/etc/machine-id is missing',
      });
      expect(parseMachineId(ok(''))).toMatchObject({ state: 'unread', reason: '/etc/machine-id is empty' });
      expect(parseMachineId(ok('uninitialized\n'))).toMatchObject({ state: 'unread' });
    });
    it('anything but 32 hex digits is unparsable, never a value', () => {
      expect(expectUnparsable(() => parseMachineId(ok('3D1219C7C4C5404AAA1F6D2A48ADFDA4\n'))).message).toMatch(
        /32 hex/,
      );
      expectUnparsable(() => parseMachineId(ok('3d1219c7c4c5404aaa1f6d2a48adfda4\nmore\n')));
      expectUnparsable(() => parseMachineId(run('', 'cat: /etc/machine-id: Permission denied\n', 1)));
      for (const text of Object.values(HOSTILE)) {
        if (text === '') continue;
        expectUnparsable(() => parseMachineId(ok(text)));
      }
    });
  });

  describe('MAC addresses', () => {
    it('a VM with two NICs and a bridge: the NICs, lowercased; the bridge and lo are virtual', () => {
      const grep = [
        '/sys/class/net/br-ex/address:52:54:00:AA:BB:01',
        '/sys/class/net/eth0/address:52:54:00:AA:BB:01',
        '/sys/class/net/eth1/address:08:00:27:12:34:56',
        '/sys/class/net/lo/address:00:00:00:00:00:00',
        '/sys/devices/virtual/net/br-ex/address:52:54:00:AA:BB:01',
        '/sys/devices/virtual/net/lo/address:00:00:00:00:00:00',
        '',
      ].join('\n');
      expect(parseMacs(ok(grep))).toEqual({
        state: 'read',
        value: [
          { interface: 'eth0', address: '52:54:00:aa:bb:01' },
          { interface: 'eth1', address: '08:00:27:12:34:56' },
        ],
      });
    });
    it('a glob that matched nothing (grep names it and exits 2), a tun device with no address: understood', () => {
      const stderr = 'grep: /sys/devices/virtual/net/*/address: No such file or directory\n';
      expect(parseMacs(run('/sys/class/net/eth0/address:52:54:00:00:00:01\n', stderr, 2))).toEqual({
        state: 'read',
        value: [{ interface: 'eth0', address: '52:54:00:00:00:01' }],
      });
      expect(parseMacs(run('/sys/class/net/tun0/address:\n/sys/devices/virtual/net/tun0/address:\n', '', 0))).toEqual({
        state: 'read',
        value: [],
      });
    });
    it('other errors and lines are unparsable', () => {
      expectUnparsable(() => parseMacs(run('', 'grep: /sys/class/net/eth0/address: Permission denied\n', 2)));
      expectUnparsable(() => parseMacs(ok('/sys/class/net/eth0/address:not-a-mac\n')));
      expectUnparsable(() => parseMacs(ok('eth0 52:54:00:00:00:01\n')));
      for (const text of Object.values(HOSTILE)) {
        if (text === '') continue;
        expectUnparsable(() => parseMacs(ok(text)));
      }
    });
    it('nothing listed under /sys/class/net (no sysfs): unread', () => {
      const stderr =
        'grep: /sys/class/net/*/address: No such file or directory\ngrep: /sys/devices/virtual/net/*/address: No such file or directory\n';
      expect(parseMacs(run('', stderr, 2))).toMatchObject({ state: 'unread' });
    });
  });

  describe('root filesystem UUID', () => {
    it('an ext4 or xfs UUID, lowercased', () => {
      expect(parseRootFsUuid(ok('6C4D9C35-4F4E-4D3B-9E2A-1F0C2B7A8E11\n'))).toEqual({
        state: 'read',
        value: '6c4d9c35-4f4e-4d3b-9e2a-1f0c2b7a8e11',
      });
    });
    it('no findmnt, nothing at /, an empty UUID: unread; other output unparsable', () => {
      expect(parseRootFsUuid(run('', 'sh: 1: findmnt: not found\n', 127))).toMatchObject({ state: 'unread' });
      expect(parseRootFsUuid(run('', '', 1))).toMatchObject({ state: 'unread' });
      expectUnparsable(() => parseRootFsUuid(ok('a b\n')));
      expectUnparsable(() => parseRootFsUuid(ok('uuid-1\nuuid-2\n')));
      expectUnparsable(() => parseRootFsUuid(run('', 'findmnt: bad usage\n', 2)));
    });
  });
});
