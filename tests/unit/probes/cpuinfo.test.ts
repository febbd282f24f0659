import { describe, expect, it } from 'vitest';
import { cpuinfoProbe } from '../../../probes/cpuinfo.ts';
import { corpus, corpusFiles, debianHost, expectUnparsable, HOSTILE, ok, run } from './fixtures.ts';

const parse = (text: string) => cpuinfoProbe.parse({ cpuinfo: ok(text) });

describe('cpuinfo: /proc/cpuinfo samples', () => {
  it.each([
    // tabs replaced by spaces in the Ansible copies, and no blank line between blocks
    [
      'proc-cpuinfo__amd-opteron-2216-svm__ansible.txt',
      { processors: 4, virtualizationFlags: ['svm'], hypervisor: false },
    ],
    [
      'proc-cpuinfo__kvm-guest-xeon-e5-2680v2-no-vmx__ansible.txt',
      { processors: 2, virtualizationFlags: [], hypervisor: true },
    ],
    ['proc-cpuinfo__vbox-win__util-linux-dump.txt', { processors: 2, virtualizationFlags: [], hypervisor: false }],
    [
      'proc-cpuinfo__vmware_fpe__util-linux-dump.txt',
      { processors: 1, virtualizationFlags: ['svm'], hypervisor: false },
    ],
    [
      'proc-cpuinfo__x86_64-epyc_7451__util-linux-dump.txt',
      { processors: 1, virtualizationFlags: ['svm'], hypervisor: false },
    ],
  ])('%s', (file, expected) => {
    expect(parse(corpus('cpu', file))).toEqual(expected);
  });

  it('this Debian 12 machine (KVM guest, 2 vCPUs, no nested virtualization)', () => {
    expect(cpuinfoProbe.parse(debianHost('cpuinfo'))).toEqual({
      processors: 2,
      virtualizationFlags: [],
      hypervisor: true,
    });
  });

  it('nested virtualization: vmx and hypervisor together; flags unioned over processors', () => {
    const text = 'processor\t: 0\nflags\t\t: fpu vmx hypervisor\n\nprocessor\t: 1\nflags\t\t: fpu svm\n';
    expect(parse(text)).toEqual({ processors: 2, virtualizationFlags: ['vmx', 'svm'], hypervisor: true });
  });

  it('CRLF and a missing final newline', () => {
    expect(parse('processor\t: 0\r\nflags\t\t: fpu vmx\r\npower management:')).toEqual({
      processors: 1,
      virtualizationFlags: ['vmx'],
      hypervisor: false,
    });
  });
});

describe('cpuinfo: rejects', () => {
  it('ARM (Features, no flags): "no vmx/svm" would be a false claim', () => {
    const arm =
      'processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid\nCPU implementer\t: 0x41\n\nHardware\t: BCM2835\n';
    expect(expectUnparsable(() => parse(arm)).message).toMatch(/no x86 flags/);
  });

  it('one processor without flags', () => {
    expectUnparsable(() => parse('processor\t: 0\nflags\t: fpu vmx\nprocessor\t: 1\nmodel\t: 1\n'));
  });

  it('cat failed', () => {
    expectUnparsable(() =>
      cpuinfoProbe.parse({ cpuinfo: run('', 'cat: /proc/cpuinfo: No such file or directory\n', 1) }),
    );
  });

  it.each(corpusFiles('cpu').filter((f) => f.startsWith('lscpu')))('lscpu output is not /proc/cpuinfo: %s', (file) => {
    expectUnparsable(() => parse(corpus('cpu', file)));
  });

  it.each(Object.entries(HOSTILE))('hostile %s', (_name, text) => {
    expectUnparsable(() => parse(text));
  });
});
