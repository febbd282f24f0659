import { describe, expect, it } from 'vitest';
import { hostSnapshot } from '../../../facts/snapshot.ts';
import { parseInventory, type Lab } from '../../../inventory/load.ts';
import { inventoryFingerprint, outlineOfSnapshots, shareOf } from '../../../run/shard.ts';
import { debianOutputs, gatheredHost } from '../checks/support.ts';

/** A class inventory whose labs have these many hosts: lab1 … labN, a controller and computes each. */
function classOf(sizes: number[]): Lab[] {
  const labs = sizes.map((size, i) => {
    const hosts = Array.from({ length: size }, (_, h) =>
      h === 0
        ? `      - { name: controller, address: 10.1.${i}.1, labAddress: 10.0.0.100, role: controller }`
        : `      - { name: compute${h}, address: 10.1.${i}.${h + 1}, labAddress: 10.0.0.${100 + h}, role: compute }`,
    );
    return [`  - name: lab${i + 1}`, '    hosts:', ...hosts].join('\n');
  });
  return parseInventory(`labs:\n${labs.join('\n')}\n`, 'class.yaml').labs;
}

const names = (labs: readonly Lab[]) => labs.map((lab) => lab.settings.name);
const shards = (labs: readonly Lab[], count: number) =>
  Array.from({ length: count }, (_, i) => names(shareOf(labs, { index: i + 1, count })));

describe('shareOf: which labs a shard reads', () => {
  it('a class of equal labs goes round-robin, in inventory order', () => {
    expect(shards(classOf([2, 2, 2, 2, 2, 2, 2]), 3)).toEqual([
      ['lab1', 'lab4', 'lab7'],
      ['lab2', 'lab5'],
      ['lab3', 'lab6'],
    ]);
  });

  it('labs of different sizes: largest first, each to the shard with the fewest hosts so far', () => {
    // lab1 (3) → 1; lab2 (2) → 2; lab3 (2) → 3; lab5 (2) → 2 (tied with 3 at 2 hosts: the lower); lab4 (1) → 3.
    expect(shards(classOf([3, 2, 2, 1, 2]), 3)).toEqual([['lab1'], ['lab2', 'lab5'], ['lab3', 'lab4']]);
  });

  it('every lab falls to exactly one shard, whole, and the shards keep inventory order', () => {
    const labs = classOf([1, 4, 2, 2, 3, 1, 1, 2, 5, 2, 1]);
    for (const count of [1, 2, 3, 4, 7, 11, 20]) {
      const all = shards(labs, count).flat();
      expect(all.sort(), `N=${count}`).toEqual(names(labs).sort());
      for (const share of shards(labs, count)) expect(share).toEqual(names(labs).filter((n) => share.includes(n)));
    }
  });

  it('one lab cannot be split: it is all in shard 1, the other shards are empty', () => {
    const [lab] = classOf([4]);
    expect(shards([lab!], 3)).toEqual([['lab1'], [], []]);
  });

  it('more shards than labs: the last shards are empty', () => {
    expect(shards(classOf([2, 2]), 4)).toEqual([['lab1'], ['lab2'], [], []]);
  });

  it('depends only on the inventory: the same split on every machine', () => {
    expect(shards(classOf([2, 3, 1, 2]), 3)).toEqual(shards(classOf([2, 3, 1, 2]), 3));
  });
});

describe('inventoryFingerprint', () => {
  const labs = classOf([2, 1]);

  it('is the same from the inventory and from the snapshots gathered from it, in any order', () => {
    let position = 0;
    const snapshots = labs.flatMap((lab) =>
      lab.hosts.map((host) => gatheredHost(host, lab.settings, debianOutputs(), { position: position++ })),
    );
    // As merge reads them: written to JSON and parsed back, shards' files in any order.
    const read = snapshots.reverse().map((s) => hostSnapshot.parse(JSON.parse(JSON.stringify(s))));
    expect(inventoryFingerprint(outlineOfSnapshots(read))).toBe(inventoryFingerprint(labs));
    expect(inventoryFingerprint(labs)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('changes with a lab setting, a host, its address or the order of labs', () => {
    const base = inventoryFingerprint(labs);
    const [lab1, lab2] = labs as [Lab, Lab];
    const withSubnet = { ...lab1, settings: { ...lab1.settings, subnet: '10.9.0.0/24' } };
    const renamed = { ...lab1, hosts: [{ ...lab1.hosts[0]!, name: 'ctl' }, lab1.hosts[1]!] };
    const moved = { ...lab1, hosts: [{ ...lab1.hosts[0]!, address: '10.9.9.9' }, lab1.hosts[1]!] };
    for (const changed of [[withSubnet, lab2], [renamed, lab2], [moved, lab2], [lab2, lab1], [lab1]]) {
      expect(inventoryFingerprint(changed)).not.toBe(base);
    }
  });

  it('ignores connection settings: CI machines may reach the same hosts their own way', () => {
    const [lab1, lab2] = labs as [Lab, Lab];
    const otherKey = {
      ...lab1,
      hosts: lab1.hosts.map((h) => ({ ...h, connection: { ...h.connection, identityFile: '/ci/key', port: 2222 } })),
    };
    expect(inventoryFingerprint([otherKey, lab2])).toBe(inventoryFingerprint(labs));
  });
});
