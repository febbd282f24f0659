import { z } from 'zod';
import { defineProbe } from './probe.ts';
import { partOf, splitLines, unparsable } from './text.ts';

export const cpuinfoFact = z.object({
  /** Number of `processor` entries. */
  processors: z.int().positive(),
  /** Hardware virtualization flags present on any processor. */
  virtualizationFlags: z.array(z.enum(['vmx', 'svm'])),
  /** The `hypervisor` flag: this is a virtual machine. */
  hypervisor: z.boolean(),
});

export const cpuinfoProbe = defineProbe({
  id: 'cpuinfo',
  description: 'CPU count and virtualization flags from /proc/cpuinfo.',
  example: '{ processors: 4, virtualizationFlags: ["vmx"], hypervisor: true }',
  fileParts: ['cpuinfo'],
  commands: () => ({ cpuinfo: 'cat /proc/cpuinfo' }),
  schema: cpuinfoFact,
  /**
   * "key<tabs or spaces>: value" lines; a `processor` line starts a block (blank lines between blocks
   * are optional: some copies drop them). Every block must carry an x86 `flags` line: on ARM
   * (`Features`), s390, POWER… there is none, and answering "no vmx/svm" there would be a false claim,
   * so that is Unparsable. Lines before the first `processor`, or not "key: value", are Unparsable.
   */
  parse(outputs) {
    const cpuinfo = partOf(outputs, 'cpuinfo');
    if (cpuinfo.exitCode !== 0) throw unparsable(`cat /proc/cpuinfo exited ${cpuinfo.exitCode}`, cpuinfo);
    const blocks: Array<{ flags: string[] | null }> = [];
    for (const line of splitLines(cpuinfo.stdout)) {
      if (line.trim() === '') continue;
      const m = /^([^\s:][^:]*?)\s*:(?:\s(.*))?$/.exec(line);
      if (!m) throw unparsable(`not a "key : value" line: ${line}`, cpuinfo);
      const [, key, value = ''] = m;
      if (key === 'processor') {
        if (!/^\d+$/.test(value.trim())) throw unparsable(`processor is not a number: ${value}`, cpuinfo);
        blocks.push({ flags: null });
        continue;
      }
      const block = blocks[blocks.length - 1];
      if (block === undefined) throw unparsable(`"${key}" before the first processor line`, cpuinfo);
      if (key === 'flags') {
        if (block.flags !== null) throw unparsable('two flags lines in one processor block', cpuinfo);
        block.flags = value.trim().split(/\s+/);
      }
    }
    if (blocks.length === 0) throw unparsable('no processor entries', cpuinfo);
    const all = new Set<string>();
    for (const [index, block] of blocks.entries()) {
      if (block.flags === null) throw unparsable(`processor entry ${index} has no x86 flags line (not x86?)`, cpuinfo);
      for (const flag of block.flags) all.add(flag);
    }
    return cpuinfoFact.parse({
      processors: blocks.length,
      virtualizationFlags: (['vmx', 'svm'] as const).filter((f) => all.has(f)),
      hypervisor: all.has('hypervisor'),
    });
  },
});
