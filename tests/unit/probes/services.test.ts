import { describe, expect, it } from 'vitest';
import { parseShowBlocks, servicesProbe, unitStateOf } from '../../../probes/services.ts';
import { corpus, corpusFiles, debianHost, expectUnparsable, HOSTILE, ok } from './fixtures.ts';

const block = (id: string, load: string, active: string, sub: string, file: string) =>
  `Id=${id}\nLoadState=${load}\nActiveState=${active}\nSubState=${sub}\nUnitFileState=${file}\n`;

/** A Rocky 9 host without firewalld: the not-found block shape of the corpus multi-unit sample. */
const ROCKY_NO_FIREWALLD = [
  block('firewalld.service', 'not-found', 'inactive', 'dead', ''),
  block('NetworkManager.service', 'loaded', 'active', 'running', 'enabled'),
  block('chronyd.service', 'loaded', 'active', 'running', 'enabled'),
  block('chrony.service', 'not-found', 'inactive', 'dead', ''),
].join('\n');

describe('services: systemctl show blocks', () => {
  it('corpus multi-unit shape: three blocks, the missing unit has LoadState=not-found and an empty UnitFileState', () => {
    const output = ok(
      corpus('systemd', 'systemctl-show-multi-unit__THIRD-PARTY-HANDWRITTEN-not-found-shape__63604033285.txt'),
    );
    expect(parseShowBlocks(output).map((b) => unitStateOf(b, output))).toEqual([
      { id: 'sshd.service', loadState: 'loaded', activeState: 'active', subState: 'running', unitFileState: 'enabled' },
      { id: 'smbd.service', loadState: 'not-found', activeState: 'inactive', subState: 'dead', unitFileState: '' },
      {
        id: 'nfs-server.service',
        loadState: 'loaded',
        activeState: 'inactive',
        subState: 'dead',
        unitFileState: 'disabled',
      },
    ]);
  });

  it('RHEL 7.9 --all excerpt: properties in internal order among others', () => {
    const output = ok(corpus('systemd', 'systemctl-show-all-excerpt__rhel7.9-chronyd-and-sshd__mql.txt'));
    const [chronyd, sshd] = parseShowBlocks(output).map((b) => unitStateOf(b, output));
    expect(chronyd).toEqual({
      id: 'chronyd.service',
      loadState: 'loaded',
      activeState: 'active',
      subState: 'running',
      unitFileState: 'enabled',
    });
    expect(sshd?.id).toBe('sshd.service');
  });

  it('blocks map to SERVICE_UNITS by position', () => {
    const { units } = servicesProbe.parse({ show: ok(ROCKY_NO_FIREWALLD) });
    expect(units['firewalld.service']).toEqual({
      id: 'firewalld.service',
      loadState: 'not-found',
      activeState: 'inactive',
      subState: 'dead',
      unitFileState: '',
    });
    expect(units['chronyd.service']?.activeState).toBe('active');
    expect(units['chrony.service']?.loadState).toBe('not-found');
  });

  it('Debian: chronyd.service is an alias, answered with Id=chrony.service, still mapped by position (CRLF tolerated)', () => {
    const debian = [
      block('firewalld.service', 'not-found', 'inactive', 'dead', ''),
      block('NetworkManager.service', 'not-found', 'inactive', 'dead', ''),
      block('chrony.service', 'loaded', 'active', 'running', 'enabled'),
      block('chrony.service', 'loaded', 'active', 'running', 'enabled'),
    ].join('\n');
    const { units } = servicesProbe.parse({ show: ok(debian.replace(/\n/g, '\r\n')) });
    expect(units['chronyd.service']?.id).toBe('chrony.service');
    expect(Object.keys(units)).toEqual([
      'firewalld.service',
      'NetworkManager.service',
      'chronyd.service',
      'chrony.service',
    ]);
  });
});

describe('services: agrees with is-active / is-enabled samples', () => {
  it('is-active prints "inactive" for a firewalld that is not installed (Rocky 9.6); show agrees on ActiveState but LoadState tells them apart', () => {
    const isActive = corpus(
      'systemd',
      'is-active-firewalld__rocky9.6-NOT-INSTALLED-prints-inactive__68630480829.txt',
    ).trim();
    const firewalld = servicesProbe.parse({ show: ok(ROCKY_NO_FIREWALLD) }).units['firewalld.service'];
    expect(firewalld?.activeState).toBe(isActive);
    expect(firewalld?.loadState).toBe('not-found');
  });

  it('stopped + disabled firewalld (CentOS 7): is-active/is-enabled words are the ActiveState/UnitFileState values', () => {
    const active = corpus('systemd', 'is-active-firewalld__centos7-inactive__1223697796.txt').trim();
    const enabled = corpus('systemd', 'is-enabled-firewalld__centos7-disabled__1223697796.txt').trim();
    const show = ROCKY_NO_FIREWALLD.replace(
      block('firewalld.service', 'not-found', 'inactive', 'dead', ''),
      block('firewalld.service', 'loaded', active, 'dead', enabled),
    );
    expect(servicesProbe.parse({ show: ok(show) }).units['firewalld.service']).toMatchObject({
      loadState: 'loaded',
      activeState: 'inactive',
      unitFileState: 'disabled',
    });
  });

  it('running + enabled chronyd: the RHEL 7.9 show excerpt says what is-active/is-enabled say', () => {
    const output = ok(corpus('systemd', 'systemctl-show-all-excerpt__rhel7.9-chronyd-and-sshd__mql.txt'));
    const chronyd = unitStateOf(parseShowBlocks(output)[0]!, output);
    expect(chronyd.activeState).toBe(corpus('systemd', 'is-active-chronyd__active__58812085111.txt').trim());
    expect(chronyd.unitFileState).toBe(corpus('systemd', 'is-enabled-chronyd__enabled__58812085111.txt').trim());
  });

  it('masked is a UnitFileState value, kept as is', () => {
    const masked = corpus('systemd', 'is-enabled-firewalld__masked__3760043943.txt').trim();
    const show = ROCKY_NO_FIREWALLD.replace(
      block('firewalld.service', 'not-found', 'inactive', 'dead', ''),
      block('firewalld.service', 'masked', 'inactive', 'dead', masked),
    );
    expect(servicesProbe.parse({ show: ok(show) }).units['firewalld.service']?.unitFileState).toBe('masked');
  });
});

describe('services: rejects', () => {
  it('block count differs from the requested units (corpus 3-unit and 2-unit samples)', () => {
    expectUnparsable(() =>
      servicesProbe.parse({
        show: ok(
          corpus('systemd', 'systemctl-show-multi-unit__THIRD-PARTY-HANDWRITTEN-not-found-shape__63604033285.txt'),
        ),
      }),
    );
    expectUnparsable(() =>
      servicesProbe.parse({
        show: ok(corpus('systemd', 'systemctl-show-all-excerpt__rhel7.9-chronyd-and-sshd__mql.txt')),
      }),
    );
  });

  it('a lone UnitFileState=bad (SysV on Ubuntu) lacks the other properties', () => {
    const output = ok(corpus('systemd', 'systemctl-show-UnitFileState__ubuntu-sysv-ntp-bad__inspec-pr-863.txt'));
    expect(parseShowBlocks(output)[0]?.get('UnitFileState')).toBe('bad');
    expectUnparsable(() => unitStateOf(parseShowBlocks(output)[0]!, output));
  });

  it.each(corpusFiles('systemd').filter((f) => f.startsWith('systemctl-status') || f.startsWith('is-')))(
    '%s is not systemctl show output',
    (file) => {
      expectUnparsable(() => servicesProbe.parse({ show: ok(corpus('systemd', file)) }));
    },
  );

  it('this Debian 12 machine has no systemd: systemctl exits 1', () => {
    expectUnparsable(() => servicesProbe.parse(debianHost('services')));
  });

  it('a property repeated in one block', () => {
    expectUnparsable(() => parseShowBlocks(ok('Id=a\nId=b\n')));
  });

  it.each(Object.entries(HOSTILE))('hostile %s', (_name, text) => {
    expectUnparsable(() => servicesProbe.parse({ show: ok(text) }));
  });
});
