/**
 * How `labspec run` reads its options: each --target with the options after it, and the usage errors (exit 2) that
 * stop a run before anything is contacted. The CLI runs in this process, in a scratch folder of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.ts';

const folders: string[] = [];
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

async function labspec(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const cwd = mkdtempSync(join(process.env.LABSPEC_TEST_SCRATCH ?? tmpdir(), 'cli-options-'));
  folders.push(cwd);
  let stdout = '';
  let stderr = '';
  const code = await main({
    argv,
    env: {},
    cwd,
    io: {
      stdout: { write: (t: string) => ((stdout += t), true) },
      stderr: { write: (t: string) => ((stderr += t), true) },
    },
    self: [],
  });
  return { code, stdout, stderr };
}

describe('labspec run: --target and the options that describe it', () => {
  it('--role, --name, --lab-address and --host-key belong to the --target before them', async () => {
    // The second target's role is missing: the first one's --role was not carried over to it.
    const run = await labspec(
      'run',
      '--target',
      'ssh://root@192.0.2.10',
      '--role',
      'controller',
      '--name',
      'controller',
      '--target',
      'ssh://root@192.0.2.11',
      '--name',
      'compute1',
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      '--target ssh://root@192.0.2.11: give its role with --role controller|compute after it\n' +
        'labspec: invalid --target, nothing was contacted\n',
    );
  });

  it('before any --target, or twice for one, is a usage error', async () => {
    const before = await labspec('run', '--role', 'compute', '--target', 'local');
    expect(before.code).toBe(2);
    expect(before.stderr.split('\n')[0]).toBe('labspec: --role describes the --target before it: give --target first');
    const twice = await labspec('run', '--target', 'ssh://root:secret@h', '--name', 'a', '--name', 'b');
    expect(twice.code).toBe(2);
    expect(twice.stderr.split('\n')[0]).toBe('labspec: --name given twice for --target ssh://root:***@h');
  });

  it('--inventory with --target, an unknown profile, a bad pattern: exit 2 with one line', async () => {
    for (const [args, line] of [
      [['--inventory', 'lab.yaml', '--target', 'local'], '--inventory and --target are two ways to name the hosts'],
      [['--profile', 'golden'], '--profile: expected full | image, got "golden"'],
      [['--skip', 'chrony.$'], '--skip chrony.$: expected a check ID or a glob'],
      [['--known-hosts', 'kh'], '--known-hosts describes how to reach the --target hosts'],
    ] as const) {
      const run = await labspec('run', ...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.split('\n')[0], args.join(' ')).toContain(`labspec: ${line}`);
    }
  });

  it('run --help documents every option', async () => {
    const help = await labspec('run', '--help');
    for (const option of [
      '--target',
      '--role',
      '--name',
      '--lab-address',
      '--host-key',
      '--identity ',
      '--identity-env',
      '--password-env',
      '--known-hosts',
      '--accept-new-host-key',
      '--profile',
      '--only',
      '--skip',
      'LABSPEC_PROFILE',
      'LABSPEC_ONLY',
      'LABSPEC_SKIP',
    ]) {
      expect(help.stdout, option).toContain(option);
    }
  });
});
