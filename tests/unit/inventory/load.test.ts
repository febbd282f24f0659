import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InventoryError, loadInventory, MAX_INVENTORY_BYTES, parseInventory } from '../../../inventory/load.ts';

const FILE = 'inventory/lab.yaml';

/** The problems parseInventory reports, or a failure when it accepts the text. */
function problemsOf(text: string, file = FILE): string[] {
  try {
    parseInventory(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(InventoryError);
    const problems = (error as InventoryError).problems;
    for (const p of problems) expect(p).not.toMatch(/\n/);
    expect((error as InventoryError).message).toBe(problems.join('\n'));
    return problems;
  }
  throw new Error('expected InventoryError, but the inventory was accepted');
}

/** The issue's example: the tutorial's two-node lab (same text as inventory/lab.yaml). */
const EXAMPLE = `# The tutorial's two-node lab.
lab:                        # expected values; the tutorial's defaults when omitted
  subnet: 10.0.0.0/24
  ntpUpstream: 2.kr.pool.ntp.org
defaults:                   # connection settings for every host, overridable per host
  user: root
  port: 22
  identityFile: ~/.ssh/id_ed25519
  knownHostsFile: ~/.ssh/known_hosts
hosts:
  - name: controller        # also the expected hostname and the name in /etc/hosts
    address: 10.0.0.100     # where to connect: IP or DNS name
    role: controller        # controller | compute
  - name: compute1
    address: 10.0.0.101
    role: compute
`;

describe('parseInventory: the single-lab form', () => {
  it('parses the issue example into one lab named "default" with both hosts and the defaults applied', () => {
    const inventory = parseInventory(EXAMPLE, FILE);
    expect(inventory.file).toBe(FILE);
    expect(inventory.labs).toHaveLength(1);
    const [lab] = inventory.labs;
    expect(lab!.settings).toEqual({
      name: 'default',
      subnet: '10.0.0.0/24',
      ntpUpstream: '2.kr.pool.ntp.org',
      minCpus: 2,
      minRootDiskGiB: 60,
      release: { name: 'CentOS Linux', major: 7 },
      chronySyncWaitSeconds: 10,
    });
    expect(lab!.hosts).toEqual([
      {
        lab: 'default',
        name: 'controller',
        address: '10.0.0.100',
        labAddress: '10.0.0.100',
        role: 'controller',
        connection: {
          transport: 'ssh',
          user: 'root',
          port: 22,
          identityFile: '~/.ssh/id_ed25519',
          knownHostsFile: '~/.ssh/known_hosts',
          strictHostKeyChecking: 'yes',
          connectTimeoutSeconds: 10,
          deadlineSeconds: 60,
          maxProbeOutputMiB: 8,
          maxHostOutputMiB: 32,
        },
      },
      {
        lab: 'default',
        name: 'compute1',
        address: '10.0.0.101',
        labAddress: '10.0.0.101',
        role: 'compute',
        connection: {
          transport: 'ssh',
          user: 'root',
          port: 22,
          identityFile: '~/.ssh/id_ed25519',
          knownHostsFile: '~/.ssh/known_hosts',
          strictHostKeyChecking: 'yes',
          connectTimeoutSeconds: 10,
          deadlineSeconds: 60,
          maxProbeOutputMiB: 8,
          maxHostOutputMiB: 32,
        },
      },
    ]);
  });

  it('without a lab: section the tutorial defaults apply (subnet 10.0.0.0/24, ntpUpstream 2.kr.pool.ntp.org, name default)', () => {
    const { labs } = parseInventory(
      'hosts:\n  - name: controller\n    address: 10.0.0.100\n    role: controller\n',
      FILE,
    );
    expect(labs[0]!.settings.subnet).toBe('10.0.0.0/24');
    expect(labs[0]!.settings.ntpUpstream).toBe('2.kr.pool.ntp.org');
    expect(labs[0]!.settings.name).toBe('default');
    expect(labs[0]!.hosts[0]!.connection).toEqual({
      transport: 'ssh',
      knownHostsFile: '~/.ssh/known_hosts',
      strictHostKeyChecking: 'yes',
      connectTimeoutSeconds: 10,
      deadlineSeconds: 60,
      maxProbeOutputMiB: 8,
      maxHostOutputMiB: 32,
    });
  });

  it('per-host settings override defaults; labAddress is kept when address is a DNS name or a NAT address', () => {
    const text = `lab:
  name: lab7
  subnet: 192.168.7.0/24
defaults:
  user: root
  port: 22
  passwordEnv: LAB_PASSWORD
hosts:
  - name: controller
    address: lab7.example.edu
    labAddress: 192.168.7.10
    role: controller
    port: 2222
    user: admin
  - name: compute1
    address: 203.0.113.5
    labAddress: 192.168.7.11
    port: 2223
    role: compute
    transport: local
`;
    const { labs } = parseInventory(text, FILE);
    const [controller, compute] = labs[0]!.hosts;
    expect(labs[0]!.settings.name).toBe('lab7');
    expect(labs[0]!.settings.subnet).toBe('192.168.7.0/24');
    expect(controller).toMatchObject({ lab: 'lab7', address: 'lab7.example.edu', labAddress: '192.168.7.10' });
    expect(controller!.connection).toMatchObject({
      user: 'admin',
      port: 2222,
      passwordEnv: 'LAB_PASSWORD',
      transport: 'ssh',
    });
    expect(compute).toMatchObject({ address: '203.0.113.5', labAddress: '192.168.7.11' });
    expect(compute!.connection).toMatchObject({
      user: 'root',
      port: 2223,
      passwordEnv: 'LAB_PASSWORD',
      transport: 'local',
    });
  });
});

describe('parseInventory: the labs: form (a class of student labs)', () => {
  const CLASS = `defaults:
  user: root
  identityFile: ~/.ssh/class_key
labs:
  - name: student1
    lab:
      subnet: 10.1.0.0/24
    hosts:
      - name: controller
        address: 10.1.0.100
        role: controller
      - name: compute1
        address: 10.1.0.101
        role: compute
  - name: student2
    defaults:
      user: student2
    hosts:
      - name: controller
        address: 10.0.0.100
        role: controller
`;

  it('each lab keeps its name and settings; hosts carry their lab; lab defaults override class defaults', () => {
    const { labs } = parseInventory(CLASS, FILE);
    expect(labs.map((l) => l.settings.name)).toEqual(['student1', 'student2']);
    expect(labs.map((l) => l.settings.subnet)).toEqual(['10.1.0.0/24', '10.0.0.0/24']);
    expect(labs[1]!.settings.ntpUpstream).toBe('2.kr.pool.ntp.org');
    expect(labs[0]!.hosts.map((h) => `${h.lab}/${h.name}@${h.labAddress}`)).toEqual([
      'student1/controller@10.1.0.100',
      'student1/compute1@10.1.0.101',
    ]);
    expect(labs[0]!.hosts[0]!.connection).toMatchObject({ user: 'root', identityFile: '~/.ssh/class_key' });
    expect(labs[1]!.hosts[0]!.connection).toMatchObject({ user: 'student2', identityFile: '~/.ssh/class_key' });
  });

  it('the same host names may appear in different labs, but a duplicate inside one lab is reported at its line', () => {
    const text = `${CLASS}      - name: controller
        address: 10.0.0.101
        role: compute
`;
    expect(problemsOf(text)).toEqual([
      `${FILE}:22 labs[1].hosts[1].name: duplicate host name controller (also hosts[0])`,
    ]);
  });

  it('two labs with the same name are reported', () => {
    const text = CLASS.replace('name: student2', 'name: student1');
    expect(problemsOf(text)).toEqual([`${FILE}:15 labs[1].name: duplicate lab name student1`]);
  });

  it('problems inside a lab entry: its lab settings, its defaults, unknown keys; an empty labs list', () => {
    const text =
      'labs:\n  - name: s1\n    lab:\n      subnet: 10.1.0/24\n    defaults:\n      password: x\n    hosts:\n      - name: controller\n        address: 10.1.0.100\n        role: controller\n    extra: 1\n';
    expect(problemsOf(text)).toEqual([
      `${FILE}:4 labs[0].lab.subnet: expected an IPv4 CIDR such as 10.0.0.0/24`,
      `${FILE}:6 labs[0].defaults.password: never write a password in the inventory; put it in an environment variable and name it with passwordEnv`,
      `${FILE}:11 labs[0].extra: unknown key`,
    ]);
    expect(problemsOf('labs: []\n')).toEqual([`${FILE}:1 labs: expected at least one lab`]);
  });

  it('a bad role inside a lab names the full path and its line', () => {
    expect(problemsOf(CLASS.replace('role: compute', 'role: network'))).toEqual([
      `${FILE}:14 labs[0].hosts[1].role: expected controller | compute`,
    ]);
  });
});

describe('parseInventory: every problem is one line "file:LINE path: message"', () => {
  it("bad role: the issue's example shape, on the role's line", () => {
    const text = `defaults:
  user: root
hosts:
  - name: controller
    address: 10.0.0.100
    role: controller
  - name: compute1
    address: 10.0.0.101
    role: storage
`;
    expect(problemsOf(text)).toEqual(['inventory/lab.yaml:9 hosts[1].role: expected controller | compute']);
  });

  it('unknown key: the line of the key itself', () => {
    const text = 'hosts:\n  - name: controller\n    address: 10.0.0.100\n    role: controller\n    rol: compute\n';
    expect(problemsOf(text)).toEqual([`${FILE}:5 hosts[0].rol: unknown key`]);
  });

  it('password: tells to use passwordEnv (in defaults and per host)', () => {
    expect(
      problemsOf(
        'defaults:\n  user: root\n  password: hunter2\nhosts:\n  - name: controller\n    address: 10.0.0.100\n    role: controller\n',
      ),
    ).toEqual([
      `${FILE}:3 defaults.password: never write a password in the inventory; put it in an environment variable and name it with passwordEnv`,
    ]);
    expect(
      problemsOf(
        'hosts:\n  - name: controller\n    address: 10.0.0.100\n    role: controller\n    passphrase: secret\n',
      ),
    ).toEqual([
      `${FILE}:5 hosts[0].passphrase: never write a passphrase in the inventory; put it in an environment variable and name it with passphraseEnv`,
    ]);
  });

  it('bad CIDR: prefix out of range, and chrony-style short forms are not inventory CIDRs', () => {
    const text = (subnet: string) =>
      `lab:\n  subnet: ${subnet}\nhosts:\n  - name: controller\n    address: 10.0.0.100\n    role: controller\n`;
    for (const subnet of ['10.0.0.0/33', '10.0.0/24', '10.0.0.0', '10.0.0.256/24']) {
      expect(problemsOf(text(subnet))).toEqual([`${FILE}:2 lab.subnet: expected an IPv4 CIDR such as 10.0.0.0/24`]);
    }
  });

  it('duplicate host names: the second entry', () => {
    const text =
      'hosts:\n  - name: controller\n    address: 10.0.0.100\n    role: controller\n  - name: controller\n    address: 10.0.0.101\n    role: compute\n';
    expect(problemsOf(text)).toEqual([`${FILE}:5 hosts[1].name: duplicate host name controller (also hosts[0])`]);
  });

  it("two controllers: the second controller's role line", () => {
    const text =
      'hosts:\n  - name: controller\n    address: 10.0.0.100\n    role: controller\n  - name: compute1\n    address: 10.0.0.101\n    role: controller\n';
    expect(problemsOf(text)).toEqual([
      `${FILE}:7 hosts[1].role: a lab has at most one controller (controller, compute1)`,
    ]);
  });

  it('a DNS-name address without labAddress: the host entry that lacks it', () => {
    const text =
      'hosts:\n  - name: controller\n    address: 10.0.0.100\n    role: controller\n  - name: compute1\n    address: compute1.lab.example.edu\n    role: compute\n';
    expect(problemsOf(text)).toEqual([
      `${FILE}:5 hosts[1].labAddress: required when address (compute1.lab.example.edu) is not an IPv4 address: the lab address is what /etc/hosts and chrony must name`,
    ]);
  });

  it('labAddress must be an IPv4 address', () => {
    const text =
      'hosts:\n  - name: controller\n    address: lab.example.edu\n    labAddress: controller.lab\n    role: controller\n';
    expect(problemsOf(text)).toEqual([`${FILE}:4 hosts[0].labAddress: Invalid IPv4 address`]);
  });

  it('YAML syntax error: the line where the parser stops, prefixed YAML:', () => {
    expect(problemsOf('hosts:\n  - name: controller\n    address: 10.0.0.100\n\trole: controller\n')).toEqual([
      `${FILE}:4 YAML: Tabs are not allowed as indentation`,
    ]);
    expect(problemsOf('hosts:\n  - name: controller\n    address: 10.0.0.100 role: controller\n')).toEqual([
      `${FILE}:3 YAML: Nested mappings are not allowed in compact mappings`,
    ]);
  });

  it('duplicate YAML keys: the line of the repeated key', () => {
    const text =
      'hosts:\n  - name: controller\n    address: 10.0.0.100\n    address: 10.0.0.101\n    role: controller\n';
    expect(problemsOf(text)).toEqual([`${FILE}:4 YAML: Map keys must be unique`]);
  });

  it('empty file and a file without hosts: line 1, path hosts', () => {
    expect(problemsOf('')).toEqual([`${FILE}:1 hosts: Invalid input: expected array, received undefined`]);
    expect(problemsOf('# nothing yet\n')).toEqual([
      `${FILE}:1 hosts: Invalid input: expected array, received undefined`,
    ]);
    expect(problemsOf('lab:\n  subnet: 10.0.0.0/24\n')).toEqual([
      `${FILE}:1 hosts: Invalid input: expected array, received undefined`,
    ]);
    expect(problemsOf('hosts: []\n')).toEqual([`${FILE}:1 hosts: expected at least one host`]);
  });

  it('several problems: one line each, in document order', () => {
    const text = `lab:
  subnet: 10.0.0/24
hosts:
  - name: controller
    address: 10.0.0.100
    role: controller
    password: x
  - name: compute1
    address: 10.0.0.101
    role: comptue
`;
    expect(problemsOf(text)).toEqual([
      `${FILE}:2 lab.subnet: expected an IPv4 CIDR such as 10.0.0.0/24`,
      `${FILE}:7 hosts[0].password: never write a password in the inventory; put it in an environment variable and name it with passwordEnv`,
      `${FILE}:10 hosts[1].role: expected controller | compute`,
    ]);
  });

  it('several cross-field problems are all reported', () => {
    const text =
      'hosts:\n  - name: controller\n    address: ctl.example\n    role: controller\n  - name: controller\n    address: 10.0.0.101\n    role: controller\n';
    expect(problemsOf(text)).toEqual([
      `${FILE}:5 hosts[1].name: duplicate host name controller (also hosts[0])`,
      `${FILE}:2 hosts[0].labAddress: required when address (ctl.example) is not an IPv4 address: the lab address is what /etc/hosts and chrony must name`,
      `${FILE}:7 hosts[1].role: a lab has at most one controller (controller, controller)`,
    ]);
  });

  it('names the file it was given', () => {
    expect(problemsOf('hosts: 3\n', 'labs/class-b.yaml')).toEqual([
      'labs/class-b.yaml:1 hosts: Invalid input: expected array, received number',
    ]);
  });
});

describe('loadInventory', () => {
  it('a missing file is one line naming the file and the errno code', () => {
    const missing = join(tmpdir(), 'labspec-no-such-inventory', 'lab.yaml');
    expect(() => loadInventory(missing)).toThrow(InventoryError);
    try {
      loadInventory(missing);
    } catch (error) {
      expect((error as InventoryError).problems).toEqual([`${missing}: cannot read the inventory (ENOENT)`]);
    }
  });

  it('reads and parses a file, reporting problems against its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'labspec-inv-'));
    try {
      const file = join(dir, 'lab.yaml');
      writeFileSync(file, EXAMPLE);
      expect(loadInventory(file).labs[0]!.hosts.map((h) => h.name)).toEqual(['controller', 'compute1']);
      writeFileSync(file, EXAMPLE.replace('role: compute\n', 'role: computer\n'));
      expect(() => loadInventory(file)).toThrow(`${file}:16 hosts[1].role: expected controller | compute`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('loadInventory: inputs that must not hang, exhaust memory or reach the run', () => {
  const withDir = (fn: (dir: string) => void) => {
    const dir = mkdtempSync(join(tmpdir(), 'labspec-inventory-'));
    try {
      fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const problemsLoading = (file: string): string[] => {
    try {
      loadInventory(file);
    } catch (error) {
      expect(error).toBeInstanceOf(InventoryError);
      return (error as InventoryError).problems;
    }
    throw new Error('expected InventoryError');
  };

  it('refuses a FIFO without opening it, and a device such as /dev/zero', () =>
    withDir((dir) => {
      const fifo = join(dir, 'inventory.yaml');
      execFileSync('mkfifo', [fifo]);
      expect(problemsLoading(fifo)).toEqual([`${fifo}: not a regular file; give the path of the inventory YAML`]);
      expect(problemsLoading('/dev/zero')).toEqual([
        '/dev/zero: not a regular file; give the path of the inventory YAML',
      ]);
    }));

  it('refuses a file larger than the limit', () =>
    withDir((dir) => {
      const big = join(dir, 'big.yaml');
      writeFileSync(big, `# ${'x'.repeat(MAX_INVENTORY_BYTES)}\n`);
      expect(problemsLoading(big)[0]).toMatch(new RegExp(`^${big}: \\d+ bytes, larger than ${MAX_INVENTORY_BYTES}$`));
    }));

  it('stops an alias bomb at a located line instead of expanding it', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [i, name] of [...'bcdefghij'].entries()) {
      const previous = 'abcdefghij'[i]!;
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
    }
    const problems = problemsOf(`${levels.join('\n')}\nhosts: *j\n`);
    expect(problems).toEqual([expect.stringMatching(/^inventory\/lab\.yaml:\d+ YAML: Excessive alias count/)]);
  });

  it('reports an undefined alias at its line', () => {
    expect(problemsOf('lab:\n  subnet: 10.0.0.0/24\ndefaults: *nope\nhosts: []\n')).toEqual([
      'inventory/lab.yaml:3 YAML: Unresolved alias (the anchor must be set before the alias): nope',
    ]);
  });

  it('still accepts anchors that share a block between labs', () => {
    const text = `defaults: { user: root }
labs:
  - name: s1
    hosts: &hosts
      - { name: controller, address: 10.0.0.100, role: controller }
  - name: s2
    hosts: *hosts
`;
    expect(parseInventory(text, FILE).labs.map((lab) => lab.hosts.length)).toEqual([1, 1]);
  });
});

describe('parseInventory: values that end up in suggested fixes', () => {
  it.each(["pool.ntp.org'; rm -rf / #", 'a b', '$(reboot)', ''])('refuses ntpUpstream %j', (value) => {
    const text = `lab:\n  ntpUpstream: ${JSON.stringify(value)}\nhosts:\n  - { name: controller, address: 10.0.0.100, role: controller }\n`;
    expect(problemsOf(text)).toEqual([
      expect.stringMatching(/^inventory\/lab\.yaml:2 lab\.ntpUpstream: expected a host name or an IP address/),
    ]);
  });

  it.each(['2.kr.pool.ntp.org', 'time.example.com.', '192.0.2.1', '2001:db8::1'])('accepts ntpUpstream %j', (value) => {
    const text = `lab:\n  ntpUpstream: ${JSON.stringify(value)}\nhosts:\n  - { name: controller, address: 10.0.0.100, role: controller }\n`;
    expect(parseInventory(text, FILE).labs[0]!.settings.ntpUpstream).toBe(value);
  });
});

describe('parseInventory: the private key in an environment variable (privateKeyEnv)', () => {
  const HOST = '  - { name: controller, address: 10.0.0.100, role: controller';

  it('names the variable; the most specific level that names a key, as a file or a variable, wins', () => {
    const text = `defaults:\n  identityFile: ~/.ssh/ci\nhosts:\n${HOST}, privateKeyEnv: CI_KEY }\n${HOST.replace(
      /controller/g,
      'compute1',
    )
      .replace('10.0.0.100', '10.0.0.101')
      .replace('role: compute1', 'role: compute')} }\n`;
    const [withVariable, withFile] = parseInventory(text, FILE).labs[0]!.hosts;
    expect(withVariable!.connection).toMatchObject({ privateKeyEnv: 'CI_KEY' });
    expect(withVariable!.connection.identityFile).toBeUndefined();
    expect(withFile!.connection).toMatchObject({ identityFile: '~/.ssh/ci' });
    expect(withFile!.connection.privateKeyEnv).toBeUndefined();
  });

  it('a file and a variable at the same level are a problem at that level; the value must be a variable name', () => {
    const text = `defaults:\n  identityFile: ~/.ssh/ci\n  privateKeyEnv: CI_KEY\nhosts:\n${HOST}, privateKeyEnv: "-----BEGIN" }\n`;
    expect(problemsOf(text)).toEqual([
      `${FILE}:3 defaults.privateKeyEnv: give the private key either as a file (identityFile) or in a variable (privateKeyEnv), not both`,
      `${FILE}:5 hosts[0].privateKeyEnv: expected the NAME of an environment variable`,
    ]);
    const inClass = `labs:\n  - name: s1\n    hosts:\n      - { name: controller, address: 10.0.0.100, role: controller, identityFile: k, privateKeyEnv: K }\n`;
    expect(problemsOf(inClass)).toEqual([
      `${FILE}:4 labs[0].hosts[0].privateKeyEnv: give the private key either as a file (identityFile) or in a variable (privateKeyEnv), not both`,
    ]);
  });
});

describe('parseInventory: hostKey', () => {
  const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH4fgMQ6oiuLH7FcFazogJ+3dxGT7aD3jIPETKJxa3KK';
  const text = (key: string) =>
    `hosts:\n  - name: controller\n    address: 10.0.0.100\n    role: controller\n    hostKey: ${key}\n`;

  it('a public key line as the host keeps it, comment allowed', () => {
    expect(parseInventory(text(`${KEY} root@build`), FILE).labs[0]!.hosts[0]!.connection.hostKey).toBe(
      `${KEY} root@build`,
    );
  });

  it('an unknown type, a blob of another type, or no key at all is refused at its line', () => {
    const message = `${FILE}:5 hosts[0].hostKey: expected a host public key 'TYPE BASE64', as in /etc/ssh/ssh_host_ed25519_key.pub (TYPE one of ssh-ed25519, ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, ssh-rsa)`;
    for (const bad of [
      KEY.replace('ssh-ed25519', 'ssh-dss'),
      KEY.replace('ssh-ed25519', 'ssh-rsa'),
      'ssh-ed25519',
      '"[10.0.0.100]:22 ' + KEY + '"',
    ]) {
      expect(problemsOf(text(bad)), bad).toEqual([message]);
    }
  });
});

describe('parseInventory: choosing checks (profile, checks.only, checks.skip)', () => {
  const HOSTS = 'hosts:\n  - { name: controller, address: 10.0.0.100, role: controller }\n';

  it('none by default; each choice keeps where it was written, for the run to point at', () => {
    expect(parseInventory(HOSTS, FILE).checks).toEqual({ profile: null, only: null, skip: [] });
    const text = `profile: image\nchecks:\n  only: [chrony.*, host.hostname]\n  skip:\n    - id: host.address\n      reason: behind NAT\n${HOSTS}`;
    expect(parseInventory(text, FILE).checks).toEqual({
      profile: 'image',
      only: [
        { pattern: 'chrony.*', where: `${FILE}:3 checks.only[0]` },
        { pattern: 'host.hostname', where: `${FILE}:3 checks.only[1]` },
      ],
      skip: [{ pattern: 'host.address', reason: 'behind NAT', where: `${FILE}:5 checks.skip[0].id` }],
    });
  });

  it('in a class: once, at the top, for every lab', () => {
    const text = `profile: image\nlabs:\n  - name: s1\n    ${HOSTS.replace('\n  -', '\n      -')}`;
    expect(parseInventory(text, FILE).checks.profile).toBe('image');
  });

  it('an unknown profile, a skip without its reason, a pattern that is no ID or glob: located', () => {
    const text = `profile: golden\nchecks:\n  only: []\n  skip:\n    - host.address\n    - { id: "chrony.[ab]", reason: x }\n    - { id: cpu.count, reason: "  " }\n  include: [x]\n${HOSTS}`;
    expect(problemsOf(text)).toEqual([
      `${FILE}:1 profile: expected full | image`,
      `${FILE}:3 checks.only: expected at least one check ID or glob`,
      `${FILE}:5 checks.skip[0]: expected { id: <check ID or glob>, reason: <why it is skipped> }`,
      `${FILE}:6 checks.skip[1].id: expected a check ID or a glob such as chrony.* (see labspec checks)`,
      `${FILE}:7 checks.skip[2].reason: expected the reason the reports show for the skip`,
      `${FILE}:8 checks.include: unknown key`,
    ]);
  });
});
