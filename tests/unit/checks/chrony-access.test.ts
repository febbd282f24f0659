import { describe, expect, it } from 'vitest';
import { decideAccess, describeRule } from '../../../checks/chrony-access.ts';
import { formatNet, parseCidr, type Ipv4Net } from '../../../checks/cidr.ts';
import { chronyConfigProbe } from '../../../probes/chrony-config.ts';
import { chronyDirectives, corpus, directives, grepHnZ } from './support.ts';

const LAB = new Map([
  ['controller', '10.0.0.100'],
  ['compute1', '10.0.0.101'],
]);
const NONE = new Map<string, string>();

const net = (text: string): Ipv4Net => parseCidr(text)!;
const SUBNET = net('10.0.0.0/24');

function decide(lines: string[], target: Ipv4Net = SUBNET, names: ReadonlyMap<string, string> = LAB) {
  return decideAccess(directives(...lines), target, names);
}
const granted = (lines: string[], target = SUBNET, names: ReadonlyMap<string, string> = LAB) =>
  decide(lines, target, names).granted;

describe('chrony access: allow forms that grant the lab subnet', () => {
  it('allow 10.0.0.0/24, governed by that rule', () => {
    const decision = decide(['allow 10.0.0.0/24']);
    expect(decision.granted).toBe(true);
    expect(formatNet(decision.governing!.net)).toBe('10.0.0.0/24');
    expect(decision.governing!.directive.line).toBe(1);
    expect(decision.exceptions).toEqual([]);
    expect(decision.unresolved).toEqual([]);
  });

  it('short forms: allow 10.0.0/24, allow 10/8, allow 10.0.0 (=/24), allow 10 (=/8)', () => {
    expect(granted(['allow 10.0.0/24'])).toBe(true);
    expect(granted(['allow 10/8'])).toBe(true);
    expect(granted(['allow 10.0.0'])).toBe(true);
    expect(formatNet(decide(['allow 10.0.0']).governing!.net)).toBe('10.0.0.0/24');
    expect(granted(['allow 10'])).toBe(true);
  });

  it('bare allow and allow all grant everything (0.0.0.0/0)', () => {
    expect(formatNet(decide(['allow']).governing!.net)).toBe('0.0.0.0/0');
    expect(granted(['allow'])).toBe(true);
    expect(granted(['allow all'])).toBe(true);
    expect(formatNet(decide(['allow all']).governing!.net)).toBe('0.0.0.0/0');
  });

  it('a host address (with its bits beyond the prefix) is masked like chrony does', () => {
    expect(granted(['allow 10.0.0.100/24'])).toBe(true);
  });
});

describe('chrony access: what does not grant it', () => {
  it('no rule at all: chrony denies by default', () => {
    const decision = decide([]);
    expect(decision).toEqual({ granted: false, governing: null, exceptions: [], unresolved: [] });
    expect(granted(['server controller iburst', 'local stratum 10'])).toBe(false);
  });

  it('an allow of a smaller or different subnet', () => {
    expect(granted(['allow 10.0.0.0/25'])).toBe(false);
    expect(granted(['allow 192.168.0.0/16'])).toBe(false);
    expect(granted(['allow 10.0.1/24'])).toBe(false);
    // 10.0.0.0/25 is inside the target: it shows up as the contradicting rule, with no governing rule
    const decision = decide(['allow 10.0.0.0/25']);
    expect(decision.governing).toBeNull();
    expect(decision.exceptions.map((r) => formatNet(r.net))).toEqual(['10.0.0.0/25']);
  });

  it('a more specific deny wins: allow 10/8 + deny 10.0.0.128/25 does not grant the /24, but does grant 10.0.0.5', () => {
    const lines = ['allow 10/8', 'deny 10.0.0.128/25'];
    const decision = decide(lines);
    expect(decision.granted).toBe(false);
    expect(formatNet(decision.governing!.net)).toBe('10.0.0.0/8');
    expect(decision.exceptions.map((r) => `${r.allow ? 'allow' : 'deny'} ${formatNet(r.net)}`)).toEqual([
      'deny 10.0.0.128/25',
    ]);
    expect(granted(lines, net('10.0.0.5/32'))).toBe(true);
    expect(granted(lines, net('10.0.0.200/32'))).toBe(false);
  });

  it('order does not matter between nested rules: the most specific one governs', () => {
    expect(granted(['deny 10.0.0.128/25', 'allow 10/8'])).toBe(false);
    expect(granted(['deny 10/8', 'allow 10.0.0.0/24'])).toBe(true);
    expect(granted(['allow 10.0.0.0/24', 'deny 10/8'])).toBe(true);
  });

  it('a later deny all 10/8 clears the allows inside it', () => {
    const decision = decide(['allow 10.0.0.0/24', 'allow 10.0.0.5', 'deny all 10/8']);
    expect(decision.granted).toBe(false);
    expect(decision.governing).toMatchObject({ allow: false, net: net('10.0.0.0/8') });
    expect(decision.governing!.directive.line).toBe(3);
    expect(granted(['allow 10.0.0.0/24', 'allow 10.0.0.5', 'deny all 10/8'], net('10.0.0.5/32'))).toBe(false);
    // without "all" the inner allow stays more specific and keeps granting
    expect(granted(['allow 10.0.0.0/24', 'deny 10/8'])).toBe(true);
  });

  it('a later allow all clears inner denies; a later deny all clears everything', () => {
    expect(granted(['deny 10.0.0.0/24', 'allow all'])).toBe(true);
    expect(granted(['deny 10.0.0.0/24', 'allow'])).toBe(false);
    expect(granted(['allow 10.0.0.0/24', 'deny all'])).toBe(false);
    expect(granted(['allow 10.0.0.0/24', 'deny all 192.168/16'])).toBe(true);
  });

  it('an identical subnet named again replaces the earlier directive', () => {
    expect(granted(['allow 10.0.0.0/24', 'deny 10.0.0.0/24'])).toBe(false);
    expect(granted(['deny 10.0.0.0/24', 'allow 10.0.0/24'])).toBe(true);
    expect(decide(['deny 10.0.0.0/24', 'allow 10.0.0'])).toMatchObject({
      granted: true,
      governing: { allow: true, directive: { line: 2 } },
    });
  });
});

describe('chrony access: IPv6 and host names', () => {
  it('IPv6 rules are ignored for an IPv4 lab subnet', () => {
    expect(granted(['allow 10.0.0.0/24', 'deny ::/0', 'deny fe80::/10'])).toBe(true);
    expect(granted(['allow 2001:db8::/32'])).toBe(false);
    expect(decide(['deny ::/0']).unresolved).toEqual([]);
  });

  it('host names resolve through the given map (case-insensitive), as /32 or with a prefix', () => {
    expect(granted(['allow controller/24'])).toBe(true);
    expect(granted(['allow compute1'], net('10.0.0.101/32'))).toBe(true);
    expect(granted(['allow Compute1'], net('10.0.0.101/32'))).toBe(true);
    expect(granted(['allow compute1'])).toBe(false);
    expect(granted(['allow 10.0.0.0/24', 'deny compute1'], net('10.0.0.101/32'))).toBe(false);
    expect(granted(['allow 10.0.0.0/24', 'deny compute1'])).toBe(false);
  });

  it('an unresolvable name in a deny: not granted (it may deny part of the subnet)', () => {
    const decision = decide(['allow 10.0.0.0/24', 'deny backup.example.edu']);
    expect(decision.granted).toBe(false);
    expect(decision.governing).toMatchObject({ allow: true });
    expect(decision.unresolved).toEqual([
      { file: '/etc/chrony.conf', line: 2, keyword: 'deny', args: ['backup.example.edu'] },
    ]);
  });

  it('an unresolvable name in an allow: ignored, listed as unresolved', () => {
    const decision = decide(['allow 10.0.0.0/24', 'allow backup.example.edu']);
    expect(decision.granted).toBe(true);
    expect(decision.unresolved.map((d) => d.line)).toEqual([2]);
    expect(granted(['allow controller/24'], SUBNET, NONE)).toBe(false);
  });
});

describe('chrony access: real chrony.conf files through the chrony-config parser', () => {
  it('OpenStack install guide, controller: "allow 10.0.0.0/24" on line 2 grants the lab subnet', () => {
    const found = chronyDirectives(corpus('chrony', 'chrony.conf-snippet__openstack-install-guide-controller-rdo.txt'));
    const decision = decideAccess(found, SUBNET, LAB);
    expect(decision.granted).toBe(true);
    expect(describeRule(decision.governing!)).toBe('/etc/chrony.conf:2 allow 10.0.0.0/24 (allows 10.0.0.0/24)');
  });

  it('the same snippet with the allow commented out grants nothing', () => {
    for (const comment of ['#', '!', ';', '%', '  # ']) {
      const text = corpus('chrony', 'chrony.conf-snippet__openstack-install-guide-controller-rdo.txt').replace(
        'allow',
        `${comment}allow`,
      );
      expect(decideAccess(chronyDirectives(text), SUBNET, LAB), comment).toEqual({
        granted: false,
        governing: null,
        exceptions: [],
        unresolved: [],
      });
    }
  });

  it('stock CentOS 7.7+ / RHEL 7.0 / Rocky 10 files: only a commented "#allow" line, so no client is served', () => {
    for (const file of [
      'chrony.conf__centos7.7+-chrony3.4-stock__20642411258.conf',
      'chrony.conf__rhel7.0-stock-plus-smoothtime__insights.conf',
      'chrony.conf__rocky10-default-as-published-in-rocky-docs__51846917319.conf',
    ]) {
      const decision = decideAccess(chronyDirectives(corpus('chrony', file)), SUBNET, LAB);
      expect(decision.granted, file).toBe(false);
      expect(decision.governing, file).toBeNull();
    }
  });

  it('Ubuntu 20.04 file with "allow 192.168.0.0/16" on line 48: grants 192.168.1.0/24, not 10.0.0.0/24', () => {
    const found = chronyDirectives(
      corpus('chrony', 'chrony.conf__ubuntu20.04-chrony3.5-layout-pools-replaced__kazurri-ubuntu.conf'),
      '/etc/chrony/chrony.conf',
    );
    expect(decideAccess(found, SUBNET, LAB).granted).toBe(false);
    const other = decideAccess(found, net('192.168.1.0/24'), LAB);
    expect(other.granted).toBe(true);
    expect(describeRule(other.governing!)).toBe(
      '/etc/chrony/chrony.conf:48 allow 192.168.0.0/16 (allows 192.168.0.0/16)',
    );
  });

  it('the stock RHEL 7.0 file with the commented "#allow 192.168/16" enabled and a deny appended', () => {
    const text = corpus('chrony', 'chrony.conf__rhel7.0-stock-plus-smoothtime__insights.conf').replace(
      '#allow 192.168/16',
      'allow 10/8',
    );
    const found = chronyDirectives(`${text}deny 10.0.0.128/25\n`);
    const decision = decideAccess(found, SUBNET, LAB);
    expect(decision.granted).toBe(false);
    expect(decision.exceptions.map(describeRule)).toEqual([
      '/etc/chrony.conf:51 deny 10.0.0.128/25 (denies 10.0.0.128/25)',
    ]);
    expect(describeRule(decision.governing!)).toBe('/etc/chrony.conf:22 allow 10/8 (allows 10.0.0.0/8)');
  });
});

describe('chrony access: rules from the files chrony.conf pulls in, in chronyd reading order', () => {
  const read = (files: Record<string, string>) => chronyConfigProbe.parse({ files: grepHnZ(files) }).directives;
  const COMPUTE1 = net('10.0.0.101');

  it('a deny in an included file governs the compute node; the subnet is only partly granted', () => {
    const found = read({
      '/etc/chrony/chrony.conf': 'allow 10.0.0.0/24\ninclude /etc/chrony/deny.conf\n',
      '/etc/chrony/deny.conf': 'deny 10.0.0.101\n',
    });
    expect(decideAccess(found, SUBNET, LAB).exceptions.map(describeRule)).toEqual([
      '/etc/chrony/deny.conf:1 deny 10.0.0.101 (denies 10.0.0.101/32)',
    ]);
    expect(decideAccess(found, COMPUTE1, LAB).granted).toBe(false);
  });

  it('the same subnet named twice: the one read last wins, and include is read where it stands', () => {
    const files = (main: string) => ({ '/etc/chrony.conf': main, '/etc/chrony.d/a.conf': 'allow 10.0.0.101\n' });
    expect(decideAccess(read(files('deny 10.0.0.101\ninclude /etc/chrony.d/a.conf\n')), COMPUTE1, LAB).granted).toBe(
      true,
    );
    expect(decideAccess(read(files('include /etc/chrony.d/a.conf\ndeny 10.0.0.101\n')), COMPUTE1, LAB).granted).toBe(
      false,
    );
  });

  it('a `deny all` in a confdir file clears the allows read before it', () => {
    const found = read({
      '/etc/chrony/chrony.conf': 'allow 10.0.0.0/24\nconfdir /etc/chrony/conf.d\n',
      '/etc/chrony/conf.d/zz-lockdown.conf': 'deny all\n',
    });
    expect(decideAccess(found, SUBNET, LAB)).toMatchObject({ granted: false, governing: { allow: false } });
  });

  it('the allow of chrony-allow-confdir, only in a confdir file: granted', () => {
    const found = read({
      '/etc/chrony/chrony.conf': 'local stratum 10\nconfdir /etc/chrony/conf.d\n',
      '/etc/chrony/conf.d/lab.conf': '# the lab subnet\nallow 10.0.0.0/24\n',
    });
    expect(describeRule(decideAccess(found, SUBNET, LAB).governing!)).toBe(
      '/etc/chrony/conf.d/lab.conf:2 allow 10.0.0.0/24 (allows 10.0.0.0/24)',
    );
  });
});
