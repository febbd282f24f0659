import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  chronyConfigProbe,
  chronyConfigReader,
  directiveWords,
  parseChronyConfig,
  type ChronyDirective,
} from '../../../probes/chrony-config.ts';
import { corpus, debianHost, expectUnparsable, grepHnZ, HOSTILE, run, type HostFile } from './fixtures.ts';

const parse = (files: Record<string, HostFile>) => chronyConfigProbe.parse({ files: grepHnZ(files) });
const reject = (files: Record<string, HostFile>) => expectUnparsable(() => parse(files)).message;
const sources = (fact: ReturnType<typeof parse>) =>
  fact.directives.filter((d) => ['server', 'pool', 'peer'].includes(d.keyword));
const at = (d: ChronyDirective) => `${d.file}:${d.line} ${[d.keyword, ...d.args].join(' ')}`;
const MAIN = '/etc/chrony/chrony.conf';

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

  it('Rocky 10 docs: pool + sourcedir /run/chrony-dhcp (missing directory: chronyd ignores it)', () => {
    const fact = parse({
      '/etc/chrony.conf': corpus('chrony', 'chrony.conf__rocky10-default-as-published-in-rocky-docs__51846917319.conf'),
    });
    expect(sources(fact)).toEqual([
      { file: '/etc/chrony.conf', line: 3, keyword: 'pool', args: ['2.rocky.pool.ntp.org', 'iburst'] },
    ]);
    expect(fact.directives.find((d) => d.keyword === 'sourcedir')?.args).toEqual(['/run/chrony-dhcp']);
  });

  it('Rocky 10 docs with a DHCP server in /run/chrony-dhcp/eth0.sources: read after the configuration', () => {
    const fact = parse({
      '/etc/chrony.conf': corpus('chrony', 'chrony.conf__rocky10-default-as-published-in-rocky-docs__51846917319.conf'),
      '/run/chrony-dhcp/eth0.sources': 'server 192.0.2.53 iburst\n',
    });
    expect(fact.directives.at(-1)).toEqual({
      file: '/run/chrony-dhcp/eth0.sources',
      line: 1,
      keyword: 'server',
      args: ['192.0.2.53', 'iburst'],
    });
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

describe('chrony-config: include, confdir and sourcedir as chronyd reads them', () => {
  const ubuntu2204 = corpus('chrony', 'chrony.conf__ubuntu22.04-openstack-compute__Compute_Config_Files.conf');

  it('Ubuntu 22.04 compute: confdir files at its place in name order; sourcedir files after the configuration', () => {
    const fact = parse({
      [MAIN]: ubuntu2204,
      '/etc/chrony/conf.d/b.conf': 'allow 10.0.0.0/24\n',
      '/etc/chrony/conf.d/a.conf': '! comment\n  local   stratum 10\n',
      '/etc/chrony/conf.d/README': 'allow all\n',
      '/etc/chrony/sources.d/lab.sources': 'server 10.0.0.12 iburst\n',
    });
    expect(fact.mainFile).toBe(MAIN);
    expect(fact.directives.slice(0, 5).map((d) => [d.file, d.line, d.keyword])).toEqual([
      [MAIN, 5, 'confdir'],
      ['/etc/chrony/conf.d/a.conf', 2, 'local'],
      ['/etc/chrony/conf.d/b.conf', 1, 'allow'],
      [MAIN, 25, 'server'],
      [MAIN, 28, 'sourcedir'],
    ]);
    expect(fact.directives.at(-1)).toEqual({
      file: '/etc/chrony/sources.d/lab.sources',
      line: 1,
      keyword: 'server',
      args: ['10.0.0.12', 'iburst'],
    });
    expect(sources(fact).map((d) => d.args[0])).toEqual(['10.0.0.11', '10.0.0.12']);
  });

  it('Ubuntu compute1 (hanley): confdir but no sourcedir → sources.d files are not read', () => {
    const fact = parse({
      [MAIN]: corpus('chrony', 'chrony.conf__ubuntu-openstack-compute1__hanley-openstack.conf'),
      '/etc/chrony/sources.d/stale.sources': 'server 192.0.2.1\n',
    });
    expect(sources(fact)).toEqual([{ file: MAIN, line: 64, keyword: 'server', args: ['controller', 'iburst'] }]);
  });

  it('Ubuntu 20.04 (chrony 3.5): no confdir → conf.d files are not read', () => {
    const fact = parse({
      [MAIN]: corpus('chrony', 'chrony.conf__ubuntu20.04-chrony3.5-layout-pools-replaced__kazurri-ubuntu.conf'),
      '/etc/chrony/conf.d/x.conf': 'server 192.0.2.1\n',
    });
    expect(sources(fact)).toEqual([{ file: MAIN, line: 21, keyword: 'pool', args: ['ntp.nict.jp', 'iburst'] }]);
    expect(fact.directives.at(-1)).toEqual({ file: MAIN, line: 48, keyword: 'allow', args: ['192.168.0.0/16'] });
  });

  it('the deny that chrony-deny-include hides: `include` is read where it stands, file:line kept', () => {
    const fact = parse({
      [MAIN]: 'allow 10.0.0.0/24\ninclude /etc/chrony/deny.conf\nserver a\n',
      '/etc/chrony/deny.conf': '# labspec lab: a NUL \0 in a comment\ndeny 10.0.0.101\n',
    });
    expect(fact.directives.map(at)).toEqual([
      `${MAIN}:1 allow 10.0.0.0/24`,
      `${MAIN}:2 include /etc/chrony/deny.conf`,
      '/etc/chrony/deny.conf:2 deny 10.0.0.101',
      `${MAIN}:3 server a`,
    ]);
  });

  it('an include glob reads the matching files sorted; INCLUDE is case-insensitive, tabs are blanks', () => {
    const fact = parse({
      '/etc/chrony.conf': 'InClUdE\t/etc/chrony.d/*.conf\r\nallow 10/8\n',
      '/etc/chrony.d/b.conf': 'deny 10.0.0.2\n',
      '/etc/chrony.d/a.conf': 'SERVER 10.0.0.11\n',
      '/etc/chrony.d/.hidden.conf': 'deny all\n',
      '/etc/chrony.d/c.txt': 'deny all\n',
    });
    expect(fact.directives.map(at)).toEqual([
      '/etc/chrony.conf:1 include /etc/chrony.d/*.conf',
      '/etc/chrony.d/a.conf:1 server 10.0.0.11',
      '/etc/chrony.d/b.conf:1 deny 10.0.0.2',
      '/etc/chrony.conf:2 allow 10/8',
    ]);
  });

  it('an include of an include of an include: each at its place', () => {
    const fact = parse({
      '/etc/chrony.conf': 'include /etc/chrony.d/1.conf\nallow 1.1.1.1\n',
      '/etc/chrony.d/1.conf': 'include /etc/chrony.d/sub/2.conf\nallow 2.2.2.2\n',
      '/etc/chrony.d/sub/2.conf': 'deny 3.3.3.3\n',
    });
    expect(fact.directives.filter((d) => d.keyword !== 'include').map((d) => d.args[0])).toEqual([
      '3.3.3.3',
      '2.2.2.2',
      '1.1.1.1',
    ]);
  });

  it('confdir with several directories: the first directory wins a file name, files in name order', () => {
    const fact = parse({
      [MAIN]: 'confdir /etc/chrony/conf.d /usr/lib/chrony/conf.d /run/chrony/conf.d\n',
      '/etc/chrony/conf.d/50-lab.conf': 'allow 10.0.0.0/24\n',
      '/usr/lib/chrony/conf.d/50-lab.conf': 'deny all\n',
      '/usr/lib/chrony/conf.d/10-base.conf': 'server a\n',
      '/usr/lib/chrony/conf.d/90-local.conf': 'local stratum 10\n',
    });
    expect(fact.directives.slice(1).map(at)).toEqual([
      '/usr/lib/chrony/conf.d/10-base.conf:1 server a',
      '/etc/chrony/conf.d/50-lab.conf:1 allow 10.0.0.0/24',
      '/usr/lib/chrony/conf.d/90-local.conf:1 local stratum 10',
    ]);
  });

  it('a wildcard include matching nothing in an existing directory, a missing confdir: ignored like chronyd', () => {
    const fact = parse({
      '/etc/chrony.conf': 'include /etc/chrony.d/*.conf\nconfdir /etc/chrony.nothere\nallow 10/8\n',
      '/etc/chrony.d/': '',
    });
    expect(fact.directives.map((d) => d.keyword)).toEqual(['include', 'confdir', 'allow']);
  });

  it('.sources files: server/pool/peer only; a line without its newline or with a NUL ends the file', () => {
    const fact = parse({
      [MAIN]: 'sourcedir /etc/chrony/sources.d\n',
      '/etc/chrony/sources.d/a.sources': 'allow 10.0.0.0/24\nserver a iburst\npool b\n',
      '/etc/chrony/sources.d/b.sources': 'server c\nserver d\0 x\nserver e\n',
      '/etc/chrony/sources.d/c.sources': 'peer f\nserver g',
    });
    expect(sources(fact).map(at)).toEqual([
      '/etc/chrony/sources.d/a.sources:2 server a iburst',
      '/etc/chrony/sources.d/a.sources:3 pool b',
      '/etc/chrony/sources.d/b.sources:1 server c',
      '/etc/chrony/sources.d/c.sources:1 peer f',
    ]);
    expect(fact.directives.filter((d) => d.keyword === 'allow')).toEqual([]);
  });

  it('chrony.conf itself: the last line is read without its newline', () => {
    expect(parse({ '/etc/chrony.conf': 'server a\nallow 10/8' }).directives.map((d) => d.keyword)).toEqual([
      'server',
      'allow',
    ]);
  });

  it('an include loop within chronyd 4.x limit is read once per level; nesting 10 levels deep is fine', () => {
    const files: Record<string, string> = { '/etc/chrony.conf': 'include /etc/chrony.d/2.conf\n' };
    for (let level = 2; level <= 10; level++)
      files[`/etc/chrony.d/${level}.conf`] = level < 10 ? `include /etc/chrony.d/${level + 1}.conf\n` : 'allow 10/8\n';
    expect(parse(files).directives.at(-1)).toMatchObject({ file: '/etc/chrony.d/10.conf', keyword: 'allow' });
  });

  it('both main files with the same text (a symlink): /etc/chrony.conf', () => {
    const fact = parse({ '/etc/chrony.conf': 'server a\n', [MAIN]: 'server a\n' });
    expect(fact.mainFile).toBe('/etc/chrony.conf');
  });
});

describe('chrony-config: what it cannot vouch for is an error naming the file', () => {
  it('an included file labspec cannot read (permission denied)', () => {
    expect(
      reject({
        [MAIN]: 'allow 10.0.0.0/24\ninclude /etc/chrony/deny.conf\n',
        '/etc/chrony/deny.conf': { unreadable: 'Permission denied' },
      }),
    ).toBe(`cannot read /etc/chrony/deny.conf (named by ${MAIN}:2 'include /etc/chrony/deny.conf'): Permission denied`);
  });

  it('a confdir file and a .sources file labspec cannot read', () => {
    expect(
      reject({
        [MAIN]: 'confdir /etc/chrony/conf.d\n',
        '/etc/chrony/conf.d/lab.conf': { unreadable: 'Permission denied' },
      }),
    ).toMatch(
      /^cannot read \/etc\/chrony\/conf\.d\/lab\.conf \(named by .*'confdir \/etc\/chrony\/conf\.d'\): Permission denied$/,
    );
    expect(
      reject({
        [MAIN]: 'sourcedir /etc/chrony/sources.d\n',
        '/etc/chrony/sources.d/lab.sources': { unreadable: 'Permission denied' },
      }),
    ).toMatch(/^cannot read \/etc\/chrony\/sources\.d\/lab\.sources/);
  });

  it('the main file unreadable', () => {
    expect(reject({ '/etc/chrony.conf': { unreadable: 'Permission denied' } })).toBe(
      'cannot read /etc/chrony.conf: Permission denied',
    );
  });

  it('a literal include of a file that does not exist (chronyd refuses to start)', () => {
    expect(reject({ [MAIN]: 'include /etc/chrony/gone.conf\n' })).toBe(
      `cannot read /etc/chrony/gone.conf (named by ${MAIN}:1 'include /etc/chrony/gone.conf'): No such file or directory; chronyd refuses to start without it`,
    );
  });

  it('a wildcard include in a missing directory (chronyd: "Could not search for files matching")', () => {
    expect(reject({ [MAIN]: 'include /etc/chrony.d/*.conf\n' })).toMatch(/directory \/etc\/chrony\.d does not exist/);
  });

  it('a directory that exists but cannot be listed (include wildcard, confdir)', () => {
    const locked = { '/etc/chrony.d/': { unreadable: 'Permission denied' } };
    expect(reject({ [MAIN]: 'include /etc/chrony.d/*.conf\n', ...locked })).toMatch(/cannot list \/etc\/chrony\.d/);
    expect(reject({ [MAIN]: 'confdir /etc/chrony.d\n', ...locked })).toMatch(/cannot list \/etc\/chrony\.d/);
  });

  it('includes nested deeper than chronyd 4.x reads (10 levels), or in a loop', () => {
    const files: Record<string, string> = { '/etc/chrony.conf': 'include /etc/chrony.d/2.conf\n' };
    for (let level = 2; level <= 11; level++)
      files[`/etc/chrony.d/${level}.conf`] = level < 11 ? `include /etc/chrony.d/${level + 1}.conf\n` : 'deny all\n';
    expect(reject(files)).toMatch(/nests includes deeper than 10 levels/);
    expect(reject({ '/etc/chrony.conf': 'include /etc/chrony.conf\n' })).toMatch(
      /^\/etc\/chrony\.conf:1 'include \/etc\/chrony\.conf' nests includes deeper than 10 levels/,
    );
    expect(
      reject({
        '/etc/chrony.conf': 'confdir /etc/chrony.d\n',
        '/etc/chrony.d/a.conf': 'include /etc/chrony.d/*.conf\n',
        '/etc/chrony.d/b.conf': 'allow all\n',
      }),
    ).toMatch(/nests includes deeper than 10 levels/);
  });

  it('a line of 2047 bytes or more (chronyd: "String too long"); 2046 is fine', () => {
    expect(parse({ '/etc/chrony.conf': `#${'x'.repeat(2045)}\nallow 10/8\n` }).directives).toHaveLength(1);
    expect(reject({ '/etc/chrony.conf': `#${'x'.repeat(2046)}\nallow 10/8\n` })).toMatch(
      /^\/etc\/chrony\.conf:1 is longer than chronyd reads/,
    );
    expect(reject({ '/etc/chrony.conf': `server a\r\n${HOSTILE.megabyteLine}` })).toMatch(/:2 is longer/);
  });

  it('include with other than one pattern; confdir with none or more than 10 directories', () => {
    expect(reject({ [MAIN]: 'include /etc/a.conf /etc/b.conf\n', '/etc/a.conf': '', '/etc/b.conf': '' })).toMatch(
      /include takes exactly one pattern/,
    );
    expect(reject({ [MAIN]: 'include\n' })).toMatch(/include takes exactly one pattern/);
    expect(reject({ [MAIN]: `confdir ${Array.from({ length: 11 }, (_, i) => `/d${i}`).join(' ')}\n` })).toMatch(
      /confdir takes 1 to 10 directories/,
    );
  });

  it('a relative pattern, a wildcard or backslash in a directory name', () => {
    expect(reject({ [MAIN]: 'include chrony.d/a.conf\n' })).toMatch(/relative path chrony\.d\/a\.conf/);
    expect(reject({ [MAIN]: 'include /etc/*/a.conf\n' })).toMatch(
      /does not expand wildcards or backslashes in directory names/,
    );
    expect(reject({ [MAIN]: 'confdir /etc/chrony.d/x\\y\n' })).toMatch(/directory names/);
  });

  it('a file name that is not valid UTF-8 (its order cannot be checked)', () => {
    expect(reject({ [MAIN]: 'confdir /etc/chrony.d\n', '/etc/chrony.d/\uFFFD.conf': 'allow all\n' })).toMatch(
      /is not valid UTF-8/,
    );
  });

  it('both main files, different: which one chronyd reads depends on its build or -f', () => {
    expect(reject({ '/etc/chrony.conf': 'server a\n', [MAIN]: 'server b\n' })).toMatch(
      /^both \/etc\/chrony\.conf and \/etc\/chrony\/chrony\.conf exist and differ/,
    );
  });

  it('a pattern the config names but the reader did not expand (e.g. a NUL inside the include line)', () => {
    const output = grepHnZ({ [MAIN]: 'include /etc/chrony/a.conf\n', '/etc/chrony/a.conf': 'deny all\n' });
    const withoutGlob = output.stdout.replace(
      /\0glob\0[^\n]*\n\0match[^\n]*\n[^\n]*\n\0file\0\/etc\/chrony\/a[^\n]*\n\0globend[^\n]*\n/,
      '',
    );
    expect(withoutGlob).not.toBe(output.stdout);
    expect(expectUnparsable(() => chronyConfigProbe.parse({ files: { ...output, stdout: withoutGlob } })).message).toBe(
      `${MAIN}:1 'include /etc/chrony/a.conf': the reader did not expand /etc/chrony/a.conf`,
    );
  });
});

describe('chrony-config: comments and odd text', () => {
  it("chrony comment characters only at line start; '#' later is an argument; C blanks only", () => {
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
    expect(directiveWords('allow\u00a010.0.0.0/24')).toEqual(['allow\u00a010.0.0.0/24']);
    expect(directiveWords('\vallow\f10/8')).toEqual(['allow', '10/8']);
  });

  it('a NUL ends the line, as chronyd reads C strings: comment, allow cut short, a line that starts with NUL is blank', () => {
    const fact = parse({ '/etc/chrony.conf': '# c \0 deny all\nallow 10/8\0 junk\n\0deny 10.0.0.0/24\nserver a\n' });
    expect(fact.directives.map(at)).toEqual(['/etc/chrony.conf:2 allow 10/8', '/etc/chrony.conf:4 server a']);
  });

  it('no main file at all; an existing but empty main file', () => {
    expect(parse({})).toEqual({ mainFile: null, directives: [] });
    expect(parse({ '/etc/chrony.conf': '' })).toEqual({ mainFile: '/etc/chrony.conf', directives: [] });
  });

  it('this Debian 12 machine has no chrony', () => {
    expect(chronyConfigProbe.parse(debianHost('chronyConfig'))).toEqual({ mainFile: null, directives: [] });
  });

  it('CRLF config; invalid UTF-8, control characters and ]]> inside a file are kept as arguments', () => {
    const fact = parse({
      '/etc/chrony.conf': `server a\r\n${HOSTILE.invalidUtf8}${HOSTILE.cdataEnd}keyfile /etc/chrony.keys\x07\n`,
    });
    expect(fact.directives.map((d) => d.keyword)).toEqual(['server', 'fo\uFFFD\uFFFD', ']]>', 'keyfile']);
    expect(fact.directives[0]?.args).toEqual(['a']);
    expect(fact.directives.at(-1)?.line).toBe(4);
  });

  it('the reader on the local lab (Debian 12, chrony 4.3): an include whose file has a NUL in a comment', () => {
    const fact = chronyConfigProbe.parse({
      files: {
        stdout: corpus('chrony', 'chrony-config-reader__labspec-lab-debian12-chrony4.3-include-with-NUL-comment.bin'),
        stderr: corpus(
          'chrony',
          'chrony-config-reader__labspec-lab-debian12-chrony4.3-include-with-NUL-comment.stderr.txt',
        ),
        exitCode: 0,
      },
    });
    expect(fact.mainFile).toBe(MAIN);
    expect(fact.directives.filter((d) => ['allow', 'deny', 'include'].includes(d.keyword)).map(at)).toEqual([
      `${MAIN}:4 allow 10.0.0.0/24`,
      `${MAIN}:12 include /etc/chrony/deny.conf`,
      '/etc/chrony/deny.conf:2 deny 10.0.0.101',
    ]);
  });
});

describe('chrony-config: rejects output it does not understand', () => {
  const good = grepHnZ({ '/etc/chrony.conf': 'server a\n' });
  it.each([
    [
      'grep missing',
      run(
        '\0file\0/etc/chrony.conf\x00127\0\n\0file\0/etc/chrony/chrony.conf\x00127\0\n\0end\0\n',
        'sh: grep: not found\n',
        0,
      ),
    ],
    ['no end record (the reader stopped)', run(good.stdout.replace('\0end\0\n', ''), good.stderr, 0)],
    ['a record it does not know', run(`\0exec\0/bin/sh\0\n${good.stdout}`, good.stderr, 0)],
    [
      'line numbers out of sequence',
      run(good.stdout.replace('/etc/chrony.conf\x001:', '/etc/chrony.conf\x002:'), good.stderr, 0),
    ],
    ['lines of a file without its end record', run(`/etc/x\x001:deny all\n${good.stdout}`, good.stderr, 0)],
    ['unexpected stderr', run(good.stdout, `${good.stderr}sh: 1: Syntax error\n`, 0)],
    ['a match outside an expansion', run(`\0match\0/a\0/b\0\n${good.stdout}`, good.stderr, 0)],
    ['a file name with a newline breaks a record', run(`/etc/chrony\n.conf\x001:x\n${good.stdout}`, good.stderr, 0)],
  ])('%s', (_why, output) => {
    expectUnparsable(() => chronyConfigProbe.parse({ files: output }));
  });

  it('output cut at the cap: says the configuration was too large (includes looping through wildcards?)', () => {
    const stdout = `${'/etc/chrony.conf\x001:# x\n'.repeat(60_000)}`;
    expect(expectUnparsable(() => chronyConfigProbe.parse({ files: run(stdout, '', 0) })).message).toMatch(
      /^more than 1000000 bytes of configuration/,
    );
  });

  it('hostile text as the whole output is rejected', () => {
    for (const text of Object.values(HOSTILE))
      expectUnparsable(() => chronyConfigProbe.parse({ files: run(text, '', 0) }));
  });

  it('a NUL inside content cannot forge a record or a file', () => {
    const forged = parse({ '/etc/chrony.conf': 'x\0/etc/chrony/conf.d/a.conf\x001:deny all\n\0end\0\n' });
    expect(forged.directives).toEqual([{ file: '/etc/chrony.conf', line: 1, keyword: 'x', args: [] }]);
  });
});

describe('the real reader in a real shell agrees with the emulation the other tests use', () => {
  const R = mkdtempSync(join(tmpdir(), 'labspec-chrony-'));
  afterAll(() => rmSync(R, { recursive: true, force: true }));
  const main = `${R}/etc/chrony/chrony.conf`;
  const withLoop = `${R}/etc/chrony/loop.conf`;
  const mainText = [
    'server 2.kr.pool.ntp.org iburst',
    'allow 10.0.0.0/24',
    `include ${R}/etc/chrony/deny.conf`,
    `INCLUDE\t${R}/etc/chrony.d/*.conf`,
    `confdir ${R}/etc/chrony/conf.d ${R}/usr/lib/chrony ${R}/missing`,
    `sourcedir ${R}/etc/chrony/sources.d ${R}/run/chrony-dhcp`,
    `include ${R}/etc/empty/*.conf`,
    '',
  ].join('\n');
  const tree: Record<string, string> = {
    [main]: mainText,
    [withLoop]: `${mainText}include ${R}/etc/loop/loop.conf\n`,
    [`${R}/etc/chrony/deny.conf`]: '# a NUL \0 in a comment\ndeny 10.0.0.101\n',
    [`${R}/etc/chrony.d/a.conf`]: 'local stratum 10\r\n',
    [`${R}/etc/chrony.d/b c.conf`]: 'deny 10.0.0.102\n',
    [`${R}/etc/loop/loop.conf`]: `include ${R}/etc/loop/loop.conf\n`,
    [`${R}/etc/chrony/conf.d/x.conf`]: 'allow 10.0.0.103\n',
    [`${R}/usr/lib/chrony/x.conf`]: 'deny all\n',
    [`${R}/usr/lib/chrony/y.conf`]: `include ${R}/etc/chrony.d/a.conf\n`,
    [`${R}/etc/chrony/sources.d/lab.sources`]: 'server controller iburst\nallow all\npool x',
    [`${R}/etc/empty/`]: '',
  };
  for (const [path, text] of Object.entries(tree)) {
    mkdirSync(path.endsWith('/') ? path : dirname(path), { recursive: true });
    if (!path.endsWith('/')) writeFileSync(path, text);
  }
  const readerOn = (mains: readonly [string, string]) => {
    const r = spawnSync('/bin/sh', ['-c', 'env LC_ALL=C /bin/sh -s'], {
      input: chronyConfigReader(mains),
      encoding: 'utf8',
    });
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.status };
  };
  const emulated = (mains: readonly [string, string]) =>
    grepHnZ(
      Object.fromEntries(
        Object.entries(tree)
          .filter(([p]) => !mains.includes(p) || p === mains[1])
          .map(([p, t]) => [p, t]),
      ),
      mains,
    );

  it.each([
    ['every kind of directive', [`${R}/etc/chrony.conf`, main] as const],
    ['and an include loop', [`${R}/etc/chrony.conf`, withLoop] as const],
  ])('byte for byte the same output: %s', (_what, mains) => {
    const real = readerOn(mains);
    expect(real.exitCode).toBe(0);
    const model = emulated(mains);
    expect(real.stderr).toBe(model.stderr);
    expect(real.stdout).toBe(model.stdout);
  });

  it('read as chronyd reads it (chronyd -p on chrony 4.3 printed the same allow/deny/server order)', () => {
    const fact = parseChronyConfig(readerOn([`${R}/etc/chrony.conf`, main]), [`${R}/etc/chrony.conf`, main]);
    expect(
      fact.directives
        .filter((d) => !['include', 'confdir'].includes(d.keyword))
        .map((d) => [d.keyword, ...d.args].join(' ')),
    ).toEqual([
      'server 2.kr.pool.ntp.org iburst',
      'allow 10.0.0.0/24',
      'deny 10.0.0.101',
      'local stratum 10',
      'deny 10.0.0.102',
      'allow 10.0.0.103',
      'local stratum 10',
      `sourcedir ${R}/etc/chrony/sources.d ${R}/run/chrony-dhcp`,
      'server controller iburst',
    ]);
    expect(() =>
      parseChronyConfig(readerOn([`${R}/etc/chrony.conf`, withLoop]), [`${R}/etc/chrony.conf`, withLoop]),
    ).toThrow(/loop\.conf' nests includes deeper than 10 levels/);
  });

  it.skipIf(process.getuid?.() === 0)('a file labspec may not read (not root): error naming it', () => {
    const locked = `${R}/etc/chrony/deny.conf`;
    chmodSync(locked, 0);
    const output = readerOn([`${R}/etc/chrony.conf`, main]);
    chmodSync(locked, 0o644);
    expect(() => parseChronyConfig(output, [`${R}/etc/chrony.conf`, main])).toThrow(
      /^cannot read .*deny\.conf .*: Permission denied$/,
    );
  });
});
