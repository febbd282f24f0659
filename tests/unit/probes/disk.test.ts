import { describe, expect, it } from 'vitest';
import { diskProbe } from '../../../probes/disk.ts';
import { corpus, corpusFiles, debianHost, expectUnparsable, HOSTILE, ok, run } from './fixtures.ts';

const parse = (text: string) => diskProbe.parse({ df: ok(text) }).filesystems;
const KiB = 1024;

describe('disk: df -P', () => {
  it('this Debian 12 machine: df -Pk /', () => {
    const [root, ...rest] = diskProbe.parse(debianHost('disk')).filesystems;
    expect(rest).toEqual([]);
    expect(root).toEqual({
      device: '/dev/vda',
      sizeBytes: 264212084 * KiB,
      usedBytes: 23067976 * KiB,
      availableBytes: 83322936 * KiB,
      mountpoint: '/',
    });
  });

  it('RHEL 7 df -alP: mount point with spaces, pseudo filesystems, autofs "-" row skipped', () => {
    const filesystems = parse(corpus('storage', 'df-alP__rhel7-vmware-mountpoint-with-spaces__insights.txt'));
    expect(filesystems).toHaveLength(19); // 20 rows, systemd-1 skipped
    expect(filesystems.find((f) => f.mountpoint === '/')).toEqual({
      device: '/dev/sda2',
      sizeBytes: 17813504 * KiB,
      usedBytes: 2127172 * KiB,
      availableBytes: 15686332 * KiB,
      mountpoint: '/',
    });
    expect(filesystems.find((f) => f.device === '/dev/sdb1')?.mountpoint).toBe('/V M T o o l s');
    expect(filesystems.some((f) => f.device === 'systemd-1')).toBe(false);
  });

  it('RHEL 6 df -alP with stderr lines before the header and a blank line', () => {
    const filesystems = parse(corpus('storage', 'df-alP__rhel6-stderr-mixed-in__insights.txt'));
    expect(filesystems[0]).toEqual({
      device: '/dev/mapper/vg_lxcrhel6sat56-lv_root',
      sizeBytes: 98571884 * KiB,
      usedBytes: 4244032 * KiB,
      availableBytes: 89313940 * KiB,
      mountpoint: '/',
    });
    expect(filesystems.at(-1)?.mountpoint).toBe('/sys/fs/cgroup');
  });

  it('1K-blocks header, CRLF, no final newline', () => {
    expect(
      parse('Filesystem     1K-blocks    Used Available Capacity Mounted on\r\n/dev/vda1 100 40 60 40% /'),
    ).toEqual([
      { device: '/dev/vda1', sizeBytes: 100 * KiB, usedBytes: 40 * KiB, availableBytes: 60 * KiB, mountpoint: '/' },
    ]);
  });
});

describe('disk: rejects', () => {
  it('df -li (no -P): wrapped device line and inode columns', () => {
    expectUnparsable(() => parse(corpus('storage', 'df-li__rhel6-wrapped-long-device-line__insights.txt')));
  });

  it.each(corpusFiles('storage').filter((f) => f.startsWith('lsblk')))('lsblk output is not df: %s', (file) => {
    expectUnparsable(() => parse(corpus('storage', file)));
  });

  it('header only, df failure', () => {
    expectUnparsable(() => parse('Filesystem 1024-blocks Used Available Capacity Mounted on\n'));
    expectUnparsable(() => diskProbe.parse({ df: run('', 'df: /: No such file or directory\n', 1) }));
  });

  it.each(Object.entries(HOSTILE))('hostile %s', (_name, text) => {
    expectUnparsable(() => parse(text));
    expectUnparsable(() => parse(`Filesystem 1024-blocks Used Available Capacity Mounted on\n${text}`));
  });
});
