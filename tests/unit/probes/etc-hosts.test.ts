import { describe, expect, it } from 'vitest';
import { etcHostsProbe } from '../../../probes/etc-hosts.ts';
import { corpus, debianHost, expectUnparsable, HOSTILE, ok, run } from './fixtures.ts';

const parse = (text: string) => etcHostsProbe.parse({ hosts: ok(text) }).entries;

describe('etc-hosts', () => {
  it('EL9 stock + lab nodes: alignment spaces, trailing space, blank lines, line numbers', () => {
    expect(parse(corpus('hosts', 'hosts__el9-stock-plus-lab-nodes-trailing-space__37329094769.txt'))).toEqual([
      {
        line: 1,
        address: '127.0.0.1',
        names: ['localhost', 'localhost.localdomain', 'localhost4', 'localhost4.localdomain4'],
      },
      {
        line: 2,
        address: '::1',
        names: ['localhost', 'localhost.localdomain', 'localhost6', 'localhost6.localdomain6'],
      },
      { line: 5, address: '172.31.4.54', names: ['ashu-mon'] },
      { line: 6, address: '172.31.10.59', names: ['ashu-node1'] },
      { line: 7, address: '172.31.9.143', names: ['ashu-node2'] },
    ]);
  });

  it('insights edge cases: inline comment, tabs, IPv6, trailing blanks', () => {
    const entries = parse(corpus('hosts', 'hosts__insights-parser-edge-cases-tabs-inline-comments-ipv6.txt'));
    expect(entries.map((e) => e.line)).toEqual([1, 2, 5, 7, 8, 11, 12]);
    expect(entries[2]).toEqual({
      line: 5,
      address: '127.0.0.1',
      names: [
        'fte.foo.redhat.com',
        'ci.foo.redhat.com',
        'qa.foo.redhat.com',
        'stage.foo.redhat.com',
        'prod.foo.redhat.com',
      ],
    });
    expect(entries[4]).toEqual({ line: 8, address: '2001:db8::36', names: ['ipv6.example.com'] });
    expect(entries[6]).toEqual({ line: 12, address: '2001:db8::38', names: ['atlas', 'atlas.example.com'] });
  });

  it('OpenStack install guide block: comment lines between entries', () => {
    expect(parse(corpus('hosts', 'hosts__openstack-install-guide-controller-compute1-block1-object.txt'))).toEqual([
      { line: 2, address: '10.0.0.11', names: ['controller'] },
      { line: 5, address: '10.0.0.31', names: ['compute1'] },
      { line: 8, address: '10.0.0.41', names: ['block1'] },
      { line: 11, address: '10.0.0.51', names: ['object1'] },
      { line: 14, address: '10.0.0.52', names: ['object2'] },
    ]);
  });

  it('Ubuntu compute1 with the Debian IPv6 block', () => {
    const entries = parse(corpus('hosts', 'hosts__ubuntu-openstack-compute1__hanley-openstack.txt'));
    expect(entries).toHaveLength(9);
    expect(entries[2]).toEqual({ line: 3, address: '192.168.97.101', names: ['controller'] });
    expect(entries.at(-1)).toEqual({ line: 11, address: 'ff02::3', names: ['ip6-allhosts'] });
  });

  it.each([
    [
      'hosts__ubuntu-openstack-zed-lab-typed__524113767.txt',
      5,
      { line: 5, address: '192.168.100.131', names: ['block'] },
    ],
    [
      'hosts__ubuntu22.04-ec2-isucon-entries__isucon12q.txt',
      4,
      { line: 5, address: '192.168.0.13', names: ['isuports-3.t.isucon.dev'] },
    ],
  ])('%s', (file, count, last) => {
    const entries = parse(corpus('hosts', file));
    expect(entries).toHaveLength(count);
    expect(entries.at(-1)).toEqual(last);
  });

  it('this Debian 12 machine', () => {
    const entries = etcHostsProbe.parse(debianHost('etcHosts')).entries;
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.some((e) => e.names.includes('localhost'))).toBe(true);
  });

  it('address-only lines and non-IP first fields are skipped; CRLF; no final newline', () => {
    expect(parse('10.0.0.1\r\ncontroller 10.0.0.11\r\n10.0.0.300 bad\r\n10.0.0.2 compute#comment')).toEqual([
      { line: 4, address: '10.0.0.2', names: ['compute'] },
    ]);
  });

  it('missing /etc/hosts → no entries; other cat failures → Unparsable', () => {
    expect(etcHostsProbe.parse({ hosts: run('', 'cat: /etc/hosts: No such file or directory\n', 1) })).toEqual({
      entries: [],
    });
    expectUnparsable(() => etcHostsProbe.parse({ hosts: run('', 'cat: /etc/hosts: Permission denied\n', 1) }));
  });

  it.each(Object.entries(HOSTILE))(
    'hostile %s: nothing that is not an address line becomes an entry',
    (_name, text) => {
      expect(parse(text)).toEqual([]);
      expect(parse(`${text}10.0.0.9 after\n`).at(-1)?.address).toBe('10.0.0.9');
    },
  );
});
