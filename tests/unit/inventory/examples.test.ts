import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInventory } from '../../../inventory/load.ts';
import { REPO } from '../../helpers/run-npm-test.ts';

describe('the inventories shipped in inventory/ are valid', () => {
  const files = readdirSync(join(REPO, 'inventory')).filter((f) => f.endsWith('.yaml'));

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
  });
});
