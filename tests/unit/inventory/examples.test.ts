import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRubricFile, resolveRubric } from '../../../grade/rubric.ts';
import { loadInventory } from '../../../inventory/load.ts';
import { REPO } from '../../helpers/run-npm-test.ts';

describe('the inventories shipped in inventory/ are valid', () => {
  const files = readdirSync(join(REPO, 'inventory')).filter((f) => f.endsWith('.yaml') && !f.startsWith('rubric'));

  it.each(files)('%s', (file) => {
    const inventory = loadInventory(join(REPO, 'inventory', file));
    expect(inventory.labs.length).toBeGreaterThan(0);
    for (const lab of inventory.labs) expect(lab.hosts.map((h) => h.role)).toContain('controller');
  });

  it('the class example keeps per-lab settings apart', () => {
    const [student1, student2] = loadInventory(join(REPO, 'inventory', 'class.example.yaml')).labs;
    expect(student1!.settings.minRootDiskGiB).toBe(60);
    expect(student2!.settings.minRootDiskGiB).toBe(40);
    expect(student2!.hosts[0]!.connection).toMatchObject({
      user: 'student2',
      passwordEnv: 'STUDENT2_PASSWORD',
      proxyJump: 'grader@bastion.example.edu',
    });
    expect(student1!.hosts[1]!.labAddress).toBe('10.0.0.101');
    expect(student1!.student).toEqual({
      id: '2024-0001',
      displayName: '김민수',
      members: [],
      lmsId: 'kim.minsu@uni.example',
    });
  });

  it('the roster example makes a lab per row of its CSV, each reached through its own port forwards', () => {
    const { labs, isClass, rubric } = loadInventory(join(REPO, 'inventory', 'roster.example.yaml'));
    expect(isClass).toBe(true);
    expect(rubric!.settings.points).toEqual({ 'topology.ntp': 5, 'cpu.virtualization': 0 });
    expect(labs.map((l) => [l.settings.name, l.student!.id, l.student!.displayName, l.student!.members])).toEqual([
      ['2024-0001', '2024-0001', '김민수', []],
      ['maria-garcia', 'maria.garcia', 'García, María', []],
      ['jdoe-22', 'jdoe_22', null, ['John Doe', '이서연']],
    ]);
    expect(labs[1]!.hosts.map((h) => `${h.address}:${h.connection.port} ${h.labAddress}`)).toEqual([
      '203.0.113.10:2211 10.0.0.100',
      '203.0.113.10:2212 10.0.0.101',
    ]);
  });

  it('the rubric example is a valid rubric file', () => {
    const rubric = resolveRubric(loadRubricFile(join(REPO, 'inventory', 'rubric.example.yaml')), null);
    expect(rubric).toMatchObject({ gradeScale: 20, clones: { consequence: 'zero' } });
    expect(rubric.overrides['hosts.<name>']).toBe(0.5);
  });

  it('the image example: the image profile, a skip with its reason, the key from a variable', () => {
    const inventory = loadInventory(join(REPO, 'inventory', 'image.example.yaml'));
    expect(inventory.checks.profile).toBe('image');
    expect(inventory.checks.skip.map((s) => s.pattern)).toEqual(['cpu.virtualization']);
    expect(inventory.labs[0]!.hosts[0]!.connection).toMatchObject({
      privateKeyEnv: 'CI_SSH_KEY',
      strictHostKeyChecking: 'accept-new',
    });
  });
});
