import { describe, expect, it } from 'vitest';
import { adHocInventory, type TargetFlags } from '../../../inventory/ad-hoc.ts';
import { parseTarget, shownTarget } from '../../../inventory/target-url.ts';
import { InventoryError, parseInventory } from '../../../inventory/load.ts';

const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH4fgMQ6oiuLH7FcFazogJ+3dxGT7aD3jIPETKJxa3KK';
const NO_CONNECTION = { acceptNewHostKey: false };

function problemsOf(targets: TargetFlags[], connection = NO_CONNECTION): string[] {
  try {
    adHocInventory(targets, connection);
  } catch (error) {
    expect(error).toBeInstanceOf(InventoryError);
    expect((error as InventoryError).summary).toBe('invalid --target');
    return (error as InventoryError).problems;
  }
  expect.fail('expected the targets to be refused');
}

describe('parseTarget', () => {
  it('ssh://[user@]host[:port], an IPv6 host in brackets; local', () => {
    expect(parseTarget('ssh://root@10.0.0.100:2222')).toEqual({
      transport: 'ssh',
      address: '10.0.0.100',
      user: 'root',
      port: 2222,
    });
    expect(parseTarget('ssh://build-vm.example')).toEqual({ transport: 'ssh', address: 'build-vm.example' });
    expect(parseTarget('ssh://ci%40corp@[fd00::5]:22/')).toEqual({
      transport: 'ssh',
      address: 'fd00::5',
      user: 'ci@corp',
      port: 22,
    });
    expect(parseTarget('local')).toEqual({ transport: 'local', address: 'localhost' });
    expect(parseTarget('local://')).toEqual({ transport: 'local', address: 'localhost' });
  });

  it('anything else is refused with the forms it takes; a password in it is refused and never shown', () => {
    for (const text of ['root@10.0.0.100', 'http://h', 'ssh://', 'ssh://h/path', 'ssh://h?x=1', 'ssh://h:99999']) {
      expect(parseTarget(text), text).toEqual({ problem: 'expected ssh://[user@]host[:port] or local' });
    }
    expect(parseTarget('ssh://root:hunter2@h')).toEqual({
      problem: 'never put a password in --target; name the variable that holds it with --password-env',
    });
    expect(shownTarget('ssh://root:hunter2@h:22')).toBe('ssh://root:***@h:22');
    expect(shownTarget('ssh://root@h:22')).toBe('ssh://root@h:22');
  });
});

describe('adHocInventory: the same inventory the loader builds', () => {
  it('targets and connection options equal the inventory file that says the same', () => {
    const fromFlags = adHocInventory(
      [
        { target: 'ssh://root@192.168.122.10:22', role: 'controller', name: 'controller', labAddress: '10.0.0.100' },
        { target: 'ssh://192.168.122.11', role: 'compute', name: 'compute1', hostKey: ED25519 },
        { target: 'local', role: 'compute', name: 'compute2', labAddress: '10.0.0.102' },
      ],
      { identityEnv: 'CI_SSH_KEY', knownHosts: '/tmp/build/known_hosts', acceptNewHostKey: true },
    );
    const fromFile = parseInventory(
      `defaults:
  privateKeyEnv: CI_SSH_KEY
  knownHostsFile: /tmp/build/known_hosts
  strictHostKeyChecking: accept-new
hosts:
  - { name: controller, role: controller, address: 192.168.122.10, user: root, port: 22, labAddress: 10.0.0.100 }
  - { name: compute1, role: compute, address: 192.168.122.11, hostKey: ${ED25519} }
  - { name: compute2, role: compute, address: localhost, transport: local, labAddress: 10.0.0.102 }
`,
      'lab.yaml',
    );
    expect(fromFlags.labs).toEqual(fromFile.labs);
    expect(fromFlags.checks).toEqual({ profile: null, only: null, skip: [] });
    expect(fromFlags.labs[0]!.hosts[1]!.labAddress).toBe('192.168.122.11');
  });

  it('a missing role or name, a bad target: each problem names the --target, password hidden', () => {
    expect(
      problemsOf([{ target: 'ssh://root:hunter2@h' }, { target: 'ssh://h2', role: 'compute', name: 'compute1' }]),
    ).toEqual([
      '--target ssh://root:***@h: never put a password in --target; name the variable that holds it with --password-env',
      '--target ssh://root:***@h: give its role with --role controller|compute after it',
      '--target ssh://root:***@h: give its name (its hostname in the lab) with --name NAME after it',
    ]);
  });

  it("the schema's and the lab's problems name the flag that gave the value, and the target", () => {
    expect(
      problemsOf([
        { target: 'ssh://h1', role: 'controler', name: 'controller', labAddress: '10.0.0.300' },
        { target: 'local', role: 'compute', name: 'compute1', hostKey: 'ssh-ed25519 AAAA' },
      ]),
    ).toEqual([
      '--lab-address (target 1, ssh://h1): Invalid IPv4 address',
      '--role (target 1, ssh://h1): expected controller | compute',
      expect.stringMatching(/^--host-key \(target 2, local\): expected a host public key 'TYPE BASE64'/),
    ]);
    expect(
      problemsOf([
        { target: 'ssh://h1', role: 'controller', name: 'controller', labAddress: '10.0.0.100' },
        { target: 'ssh://h2', role: 'controller', name: 'controller', labAddress: '10.0.0.101' },
        { target: 'local', role: 'compute', name: 'compute1' },
      ]),
    ).toEqual([
      '--name (target 2, ssh://h2): duplicate host name controller (also target 1)',
      '--lab-address (target 3, local): required when address (localhost) is not an IPv4 address: the lab address is what /etc/hosts and chrony must name',
      '--role (target 2, ssh://h2): a lab has at most one controller (controller, controller)',
    ]);
    expect(
      problemsOf([{ target: 'ssh://10.0.0.5', role: 'compute', name: 'compute1' }], {
        identityEnv: 'not a name',
        acceptNewHostKey: false,
      } as never),
    ).toEqual(['--identity-env: expected the NAME of an environment variable']);
  });
});
