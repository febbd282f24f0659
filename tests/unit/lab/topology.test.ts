import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../../inventory/load.ts';
import { classLayout, demoClass, inventoryYaml, MAX_CLASS_LABS, singleLayout } from '../../../lab/topology.ts';

const FILES = { identityFile: '/run/labspec/lab/id_ed25519', knownHostsFile: '/run/labspec/lab/known_hosts' };

describe('the local lab layout', () => {
  it('the single lab: the runner on the lab bridge, hosts reached at their lab addresses', () => {
    const [lab] = singleLayout('drift');
    expect(lab!.netns).toBe('labspec');
    expect(lab!.nat).toBeUndefined();
    expect(lab!.units.map((u) => [u.unit, u.reach])).toEqual([
      ['controller', { address: '10.0.0.100', port: 22 }],
      ['compute1', { address: '10.0.0.101', port: 22 }],
    ]);
    const inventory = parseInventory(inventoryYaml(singleLayout('compliant'), FILES), 'lab.yaml');
    expect(inventory.labs.map((l) => l.settings.name)).toEqual(['local']);
    expect(inventory.labs[0]!.hosts.map((h) => [h.name, h.address, h.labAddress, h.connection.port])).toEqual([
      ['controller', '10.0.0.100', '10.0.0.100', 22],
      ['compute1', '10.0.0.101', '10.0.0.101', 22],
    ]);
  });

  it('--class N: every grading state once — compliant, broken, a clone of student1, one unreachable', () => {
    expect(demoClass(4, 'drift')).toEqual([
      { name: 'student1' },
      { name: 'student2', scenario: 'drift' },
      { name: 'student3' },
      { name: 'student4', cloneOf: 'student1' },
      { name: 'student5', unreachable: true },
    ]);
    expect(demoClass(1, 'drift')).toEqual([{ name: 'student1' }, { name: 'student2', unreachable: true }]);
    expect(() => demoClass(0, 'drift')).toThrow(/--class takes a number of labs from 1/);
    expect(() => demoClass(MAX_CLASS_LABS, 'drift')).toThrow(/--class/);
  });

  it('a class: each lab in its own netns behind its own NAT address, one forwarded port per host', () => {
    const labs = classLayout(demoClass(4, 'drift'));
    expect(labs.map((l) => [l.netns, l.nat?.address, l.scenario, l.units.map((u) => u.unit)])).toEqual([
      ['labspec-student1', '192.168.100.11', 'compliant', ['student1-controller', 'student1-compute1']],
      ['labspec-student2', '192.168.100.12', 'drift', ['student2-controller', 'student2-compute1']],
      ['labspec-student3', '192.168.100.13', 'compliant', ['student3-controller', 'student3-compute1']],
      ['labspec-student4', '192.168.100.14', 'compliant', ['student4-controller', 'student4-compute1']],
      ['labspec-student5', '192.168.100.15', 'unreachable', []],
    ]);
    expect(labs[0]!.nat!.forwards).toEqual([
      { port: 2201, to: '10.0.0.100' },
      { port: 2202, to: '10.0.0.101' },
    ]);
    expect(labs[4]!.nat!.forwards).toEqual([]);

    // The class inventory is today's `labs:` format: per-student address and port, lab addresses 10.0.0.100/101.
    const inventory = parseInventory(inventoryYaml(labs, FILES), 'class.yaml');
    expect(inventory.labs.map((l) => l.settings.name)).toEqual([
      'student1',
      'student2',
      'student3',
      'student4',
      'student5',
    ]);
    expect(inventory.labs[4]!.hosts.map((h) => [h.lab, h.name, h.address, h.connection.port, h.labAddress])).toEqual([
      ['student5', 'controller', '192.168.100.15', 2201, '10.0.0.100'],
      ['student5', 'compute1', '192.168.100.15', 2202, '10.0.0.101'],
    ]);
  });

  it('a class plan is checked before anything is created', () => {
    expect(() => classLayout([])).toThrow(/at least one lab/);
    expect(() => classLayout([{ name: 'a' }, { name: 'a' }])).toThrow(/'a' is listed twice/);
    expect(() => classLayout([{ name: 'maria.garcia' }])).toThrow(/not a hostname label/);
    expect(() => classLayout([{ name: 'a', cloneOf: 'b' }, { name: 'b' }])).toThrow(/clones 'b'/);
    expect(() =>
      classLayout([
        { name: 'b', unreachable: true },
        { name: 'a', cloneOf: 'b' },
      ]),
    ).toThrow(/clones 'b'/);
    const tooMany = Array.from({ length: MAX_CLASS_LABS + 1 }, (_, i) => ({ name: `s${i}` }));
    expect(() => classLayout(tooMany)).toThrow(/at most/);
  });
});
