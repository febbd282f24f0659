import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeTarget, resolveTarget, type SshTarget } from '../../../gather/ssh-target.ts';

const dir = mkdtempSync(join(tmpdir(), 'ssh-target-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const configFile = join(dir, 'config');
writeFileSync(
  configFile,
  `Host ctl
  HostName 10.0.0.100
  User admin
  Port 2222
  IdentityFile ~/.ssh/lab_%r
  ProxyJump bastion
  UserKnownHostsFile ~/.ssh/lab_known_hosts
  StrictHostKeyChecking no
  ConnectTimeout 3

Host bastion
  HostName 192.0.2.1
  User jump
`,
);

const base: SshTarget = {
  name: 'controller',
  address: 'ctl',
  knownHostsFile: '~/.ssh/known_hosts',
  strictHostKeyChecking: 'yes',
  sshConfigFile: configFile,
  connectTimeoutMs: 10_000,
};

describe('resolveTarget', () => {
  it('takes ssh_config values when the inventory gives none', () => {
    const { hops, notes } = resolveTarget(base);
    const [jump, target] = hops;
    expect(target).toMatchObject({
      label: 'controller (10.0.0.100:2222)',
      host: '10.0.0.100',
      port: 2222,
      user: 'admin',
      identityFiles: [join(homedir(), '.ssh/lab_admin')],
      identityExplicit: false,
      knownHostsFiles: [join(homedir(), '.ssh/lab_known_hosts')],
      strict: 'accept-new',
      connectTimeoutMs: 3000,
    });
    expect(jump).toMatchObject({
      host: '192.0.2.1',
      port: 22,
      user: 'jump',
      label: 'controller via jump host bastion (192.0.2.1:22)',
    });
    expect(notes.join()).toMatch(/StrictHostKeyChecking no treated as accept-new/);
    expect(describeTarget(hops)).toBe('ssh admin@10.0.0.100:2222 (via jump@192.0.2.1:22)');
  });

  it('lets inventory values win', () => {
    const { hops } = resolveTarget({
      ...base,
      port: 22,
      user: 'root',
      identityFile: '~/keys/lab',
      knownHostsFile: join(dir, 'kh'),
      proxyJump: 'none',
    });
    expect(hops).toHaveLength(1);
    expect(hops[0]).toMatchObject({
      port: 22,
      user: 'root',
      identityFiles: [join(homedir(), 'keys/lab')],
      identityExplicit: true,
      knownHostsFiles: [join(dir, 'kh')],
    });
  });

  it('uses defaults without ssh_config', () => {
    const { hops } = resolveTarget({ ...base, address: '10.0.0.5', sshConfigFile: null });
    expect(hops).toHaveLength(1);
    expect(hops[0]).toMatchObject({ host: '10.0.0.5', port: 22, strict: 'yes', connectTimeoutMs: 10_000 });
    expect(hops[0]!.identityFiles).toEqual(['id_ed25519', 'id_ecdsa', 'id_rsa'].map((k) => join(homedir(), '.ssh', k)));
  });
});
