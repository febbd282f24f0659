import { describe, expect, it } from 'vitest';
import { describeEntry, mapHostsName } from '../../../checks/hosts-mapping.ts';
import { corpus, hostsEntries } from './support.ts';

const lines = (entries: { line: number }[]) => entries.map((e) => e.line);

describe('mapHostsName on real /etc/hosts files', () => {
  it('OpenStack install guide: controller on line 2, compute1 on line 5; the "# controller" comment lines do not count', () => {
    const entries = hostsEntries(
      corpus('hosts', 'hosts__openstack-install-guide-controller-compute1-block1-object.txt'),
    );
    expect(mapHostsName(entries, 'controller', '10.0.0.11')).toEqual({
      agreeing: [{ line: 2, address: '10.0.0.11', names: ['controller'] }],
      conflicting: [],
    });
    expect(lines(mapHostsName(entries, 'compute1', '10.0.0.31').agreeing)).toEqual([5]);
    // the name also appears in the comment on line 1, which is not an entry
    expect(entries.some((e) => e.line === 1)).toBe(false);
  });

  it('a different expected address is a conflict, reported with its line', () => {
    const entries = hostsEntries(
      corpus('hosts', 'hosts__openstack-install-guide-controller-compute1-block1-object.txt'),
    );
    const mapping = mapHostsName(entries, 'controller', '10.0.0.100');
    expect(mapping.agreeing).toEqual([]);
    expect(mapping.conflicting.map(describeEntry)).toEqual(['/etc/hosts:2 10.0.0.11 controller']);
  });

  it('Ubuntu compute1 dump: controller maps to 192.168.97.101 (line 3); names are matched case-insensitively', () => {
    const entries = hostsEntries(corpus('hosts', 'hosts__ubuntu-openstack-compute1__hanley-openstack.txt'));
    expect(lines(mapHostsName(entries, 'controller', '192.168.97.101').agreeing)).toEqual([3]);
    expect(lines(mapHostsName(entries, 'Controller', '192.168.97.101').agreeing)).toEqual([3]);
    expect(mapHostsName(entries, 'compute2', '192.168.97.106')).toEqual({ agreeing: [], conflicting: [] });
  });

  it('"computer" is not "compute": names are compared whole', () => {
    const entries = hostsEntries(corpus('hosts', 'hosts__ubuntu-openstack-zed-lab-typed__524113767.txt'));
    expect(mapHostsName(entries, 'compute', '192.168.100.129')).toEqual({ agreeing: [], conflicting: [] });
    expect(lines(mapHostsName(entries, 'computer', '192.168.100.129').agreeing)).toEqual([3]);
  });

  it('aliases count: "192.0.2.1<TAB>bar.example.com<TAB>bar" maps bar (line 11)', () => {
    const entries = hostsEntries(corpus('hosts', 'hosts__insights-parser-edge-cases-tabs-inline-comments-ipv6.txt'));
    expect(mapHostsName(entries, 'bar', '192.0.2.1').agreeing).toEqual([
      { line: 11, address: '192.0.2.1', names: ['bar.example.com', 'bar'] },
    ]);
    expect(lines(mapHostsName(entries, 'nonlocal2.bar.redhat.com', '10.0.0.1').agreeing)).toEqual([7]);
  });

  it('an inline "# Comment" after the names is not an alias', () => {
    const entries = hostsEntries(corpus('hosts', 'hosts__insights-parser-edge-cases-tabs-inline-comments-ipv6.txt'));
    expect(mapHostsName(entries, 'Comment', '127.0.0.1')).toEqual({ agreeing: [], conflicting: [] });
    expect(entries.find((e) => e.line === 5)!.names).toEqual([
      'fte.foo.redhat.com',
      'ci.foo.redhat.com',
      'qa.foo.redhat.com',
      'stage.foo.redhat.com',
      'prod.foo.redhat.com',
    ]);
  });

  it('an IPv6 line for the name is not a conflict (atlas on line 12)', () => {
    const entries = hostsEntries(corpus('hosts', 'hosts__insights-parser-edge-cases-tabs-inline-comments-ipv6.txt'));
    expect(mapHostsName(entries, 'atlas', '192.0.2.38')).toEqual({ agreeing: [], conflicting: [] });
    expect(mapHostsName(entries, 'localhost', '127.0.0.1')).toEqual({ agreeing: [entries[0]], conflicting: [] });
  });

  it('a trailing space after the name (EL9 sample) does not matter', () => {
    const entries = hostsEntries(corpus('hosts', 'hosts__el9-stock-plus-lab-nodes-trailing-space__37329094769.txt'));
    expect(lines(mapHostsName(entries, 'ashu-mon', '172.31.4.54').agreeing)).toEqual([5]);
  });
});

describe('mapHostsName on edited files', () => {
  const GUIDE = corpus('hosts', 'hosts__openstack-install-guide-controller-compute1-block1-object.txt');

  it('a commented-out mapping does not count, whatever it says', () => {
    const entries = hostsEntries(GUIDE.replace('10.0.0.11       controller', '#10.0.0.11       controller'));
    expect(mapHostsName(entries, 'controller', '10.0.0.11')).toEqual({ agreeing: [], conflicting: [] });
  });

  it('a second IPv4 line for the name with another address conflicts, even when a right one exists', () => {
    const entries = hostsEntries(`127.0.0.1 localhost controller\n${GUIDE}`);
    const mapping = mapHostsName(entries, 'controller', '10.0.0.11');
    expect(lines(mapping.agreeing)).toEqual([3]);
    expect(mapping.conflicting.map(describeEntry)).toEqual(['/etc/hosts:1 127.0.0.1 localhost controller']);
  });

  it('the same name as alias on the right address agrees; IPv6 loopback for it is left alone', () => {
    const entries = hostsEntries('10.0.0.11 controller.lab controller\n::1 localhost controller\n');
    expect(mapHostsName(entries, 'controller', '10.0.0.11')).toEqual({
      agreeing: [{ line: 1, address: '10.0.0.11', names: ['controller.lab', 'controller'] }],
      conflicting: [],
    });
  });
});
