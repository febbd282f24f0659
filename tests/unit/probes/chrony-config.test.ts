import { describe, expect, it } from 'vitest';
import { chronyConfigProbe, directiveWords } from '../../../probes/chrony-config.ts';
import { corpus, debianHost, expectUnparsable, grepHnZ, HOSTILE, run } from './fixtures.ts';

const parse = (files: Record<string, string>) => chronyConfigProbe.parse({ files: grepHnZ(files) });
const sources = (fact: ReturnType<typeof parse>) =>
  fact.directives.filter((d) => ['server', 'pool', 'peer'].includes(d.keyword));

describe('chrony-config: EL main file', () => {
  it('CentOS 7 lab client: pool servers commented out, "server 192.168.10.134 iburst" on line 3', () => {
    const fact = parse({
      '/etc/chrony.conf': corpus(
        'chrony',
        'chrony.conf__centos7-chrony3.4-lab-client-pointing-to-local-server__12337881217.conf',
      ),
    });
    expect(fact.mainFile).toBe('/etc/chrony.conf');
    expect(sources(fact)).toEqual([
      { file: '/etc/chrony.conf', line: 3, keyword: 'server', args: ['192.168.10.134', 'iburst'] },
    ]);
    expect(fact.directives.map((d) => d.keyword)).toEqual(['server', 'driftfile', 'makestep', 'rtcsync', 'logdir']);
  });

  it('CentOS 7.7+ stock: four centos pool servers', () => {
    const fact = parse({
      '/etc/chrony.conf': corpus('chrony', 'chrony.conf__centos7.7+-chrony3.4-stock__20642411258.conf'),
    });
    expect(sources(fact).map((d) => [d.line, d.args[0]])).toEqual([
      [3, '0.centos.pool.ntp.org'],
      [4, '1.centos.pool.ntp.org'],
      [5, '2.centos.pool.ntp.org'],
      [6, '3.centos.pool.ntp.org'],
    ]);
  });

  it('RHEL 7.0 stock + smoothtime: 19 directives, last one on line 50', () => {
    const fact = parse({
      '/etc/chrony.conf': corpus('chrony', 'chrony.conf__rhel7.0-stock-plus-smoothtime__insights.conf'),
    });
    expect(fact.directives).toHaveLength(19);
    expect(fact.directives.at(-1)).toEqual({
      file: '/etc/chrony.conf',
      line: 50,
      keyword: 'smoothtime',
      args: ['400', '0.001', 'leaponly'],
    });
  });

  it('Rocky 10 docs: pool + sourcedir /run/chrony-dhcp (not a file we read)', () => {
    const fact = parse({
      '/etc/chrony.conf': corpus('chrony', 'chrony.conf__rocky10-default-as-published-in-rocky-docs__51846917319.conf'),
    });
    expect(sources(fact)).toEqual([
      { file: '/etc/chrony.conf', line: 3, keyword: 'pool', args: ['2.rocky.pool.ntp.org', 'iburst'] },
    ]);
    expect(fact.directives.find((d) => d.keyword === 'sourcedir')?.args).toEqual(['/run/chrony-dhcp']);
  });

  it('OpenStack install-guide snippets (controller: server + allow; other nodes: server controller)', () => {
    const controller = parse({
      '/etc/chrony.conf': corpus('chrony', 'chrony.conf-snippet__openstack-install-guide-controller-rdo.txt'),
    });
    expect(controller.directives.map((d) => [d.keyword, ...d.args])).toEqual([
      ['server', 'NTP_SERVER', 'iburst'],
      ['allow', '10.0.0.0/24'],
    ]);
    const other = parse({
      '/etc/chrony.conf': corpus('chrony', 'chrony.conf-snippet__openstack-install-guide-other-nodes-rdo.txt'),
    });
    expect(other.directives).toEqual([
      { file: '/etc/chrony.conf', line: 1, keyword: 'server', args: ['controller', 'iburst'] },
    ]);
  });
});

describe('chrony-config: Debian/Ubuntu layout and includes', () => {
  const ubuntu2204 = corpus('chrony', 'chrony.conf__ubuntu22.04-openstack-compute__Compute_Config_Files.conf');

  it('Ubuntu 22.04 compute: confdir + sourcedir include conf.d and sources.d at their place, in name order', () => {
    const fact = parse({
      '/etc/chrony/chrony.conf': ubuntu2204,
      '/etc/chrony/conf.d/b.conf': 'allow 10.0.0.0/24\n',
      '/etc/chrony/conf.d/a.conf': '! comment\n  local   stratum 10\n',
      '/etc/chrony/sources.d/lab.sources': 'server 10.0.0.12 iburst\n',
    });
    expect(fact.mainFile).toBe('/etc/chrony/chrony.conf');
    expect(fact.directives.slice(0, 5).map((d) => [d.file, d.line, d.keyword])).toEqual([
      ['/etc/chrony/chrony.conf', 5, 'confdir'],
      ['/etc/chrony/conf.d/a.conf', 2, 'local'],
      ['/etc/chrony/conf.d/b.conf', 1, 'allow'],
      ['/etc/chrony/chrony.conf', 25, 'server'],
      ['/etc/chrony/chrony.conf', 28, 'sourcedir'],
    ]);
    expect(sources(fact).map((d) => d.args[0])).toEqual(['10.0.0.11', '10.0.0.12']);
  });

  it('Ubuntu compute1 (hanley): confdir but no sourcedir → sources.d files are not read', () => {
    const fact = parse({
      '/etc/chrony/chrony.conf': corpus('chrony', 'chrony.conf__ubuntu-openstack-compute1__hanley-openstack.conf'),
      '/etc/chrony/sources.d/stale.sources': 'server 192.0.2.1\n',
    });
    expect(sources(fact)).toEqual([
      { file: '/etc/chrony/chrony.conf', line: 64, keyword: 'server', args: ['controller', 'iburst'] },
    ]);
  });

  it('Ubuntu 20.04 (chrony 3.5): no confdir → conf.d files are not read', () => {
    const fact = parse({
      '/etc/chrony/chrony.conf': corpus(
        'chrony',
        'chrony.conf__ubuntu20.04-chrony3.5-layout-pools-replaced__kazurri-ubuntu.conf',
      ),
      '/etc/chrony/conf.d/x.conf': 'server 192.0.2.1\n',
    });
    expect(sources(fact)).toEqual([
      { file: '/etc/chrony/chrony.conf', line: 21, keyword: 'pool', args: ['ntp.nict.jp', 'iburst'] },
    ]);
    expect(fact.directives.at(-1)).toEqual({
      file: '/etc/chrony/chrony.conf',
      line: 48,
      keyword: 'allow',
      args: ['192.168.0.0/16'],
    });
  });

  it('an include glob pulls in matching conf.d files', () => {
    const fact = parse({
      '/etc/chrony.conf': 'include /etc/chrony/conf.d/*.conf\n',
      '/etc/chrony/conf.d/1.conf': 'SERVER 10.0.0.11\n',
    });
    expect(fact.directives.map((d) => [d.file, d.keyword])).toEqual([
      ['/etc/chrony.conf', 'include'],
      ['/etc/chrony/conf.d/1.conf', 'server'],
    ]);
  });

  it('both main files: /etc/chrony.conf wins, the other is ignored', () => {
    const fact = parse({ '/etc/chrony.conf': 'server a\n', '/etc/chrony/chrony.conf': 'server b\n' });
    expect(fact.mainFile).toBe('/etc/chrony.conf');
    expect(sources(fact).map((d) => d.args[0])).toEqual(['a']);
  });
});

describe('chrony-config: comments and odd text', () => {
  it('chrony comment characters only at line start; "#" later is an argument', () => {
    expect(directiveWords('# x')).toBeNull();
    expect(directiveWords('   ! x')).toBeNull();
    expect(directiveWords(';x')).toBeNull();
    expect(directiveWords('%x')).toBeNull();
    expect(directiveWords('  server\t  10.0.0.1   iburst  # note\r')).toEqual([
      'server',
      '10.0.0.1',
      'iburst',
      '#',
      'note',
    ]);
  });

  it('no main file at all; an existing but empty main file', () => {
    expect(parse({})).toEqual({ mainFile: null, directives: [] });
    expect(parse({ '/etc/chrony.conf': '' })).toEqual({ mainFile: '/etc/chrony.conf', directives: [] });
  });

  it('this Debian 12 machine has no chrony', () => {
    expect(chronyConfigProbe.parse(debianHost('chronyConfig'))).toEqual({ mainFile: null, directives: [] });
  });

  it('CRLF config; invalid UTF-8, control characters, ]]> and a 1 MB line inside a file are kept as arguments', () => {
    const fact = parse({
      '/etc/chrony.conf': `server a\r\n${HOSTILE.invalidUtf8}${HOSTILE.cdataEnd}${HOSTILE.megabyteLine}keyfile /etc/chrony.keys\x07\n`,
    });
    expect(fact.directives.map((d) => d.keyword)).toEqual([
      'server',
      'fo\uFFFD\uFFFD',
      ']]>',
      'a'.repeat(1024 * 1024),
      'keyfile',
    ]);
    expect(fact.directives[0]?.args).toEqual(['a']);
    expect(fact.directives.at(-1)?.line).toBe(5);
  });
});

describe('chrony-config: rejects', () => {
  it.each([
    ['permission denied', run('', 'grep: /etc/chrony.conf: Permission denied\n', 2)],
    ['binary file message (grep >= 3.5)', run('', 'grep: /etc/chrony.conf: binary file matches\n', 0)],
    ['old grep "Binary file" on stdout', run('Binary file /etc/chrony.conf matches\n', '', 0)],
    ['a path outside the globs', run('/etc/passwd\x001:root:x:0:0\n', '', 0)],
    ['line numbers out of sequence', run('/etc/chrony.conf\x001:server a\n/etc/chrony.conf\x003:server b\n', '', 0)],
    ['grep missing', run('', 'sh: grep: not found\n', 127)],
    ['exit 2 without a reason', run('/etc/chrony.conf\x001:server a\n', '', 2)],
  ])('%s', (_why, output) => {
    expectUnparsable(() => chronyConfigProbe.parse({ files: output }));
  });

  it('a NUL inside content cannot forge a second file', () => {
    expectUnparsable(() =>
      chronyConfigProbe.parse({ files: run('/etc/chrony.conf\x001:x\x00/etc/chrony/conf.d/a.conf\n', '', 0) }),
    );
  });

  it('hostile text as the whole grep output is rejected', () => {
    for (const text of Object.values(HOSTILE).filter((t) => t !== ''))
      expectUnparsable(() => chronyConfigProbe.parse({ files: run(text, '', 0) }));
  });
});
