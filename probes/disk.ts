import { z } from 'zod';
import { defineProbe, UnparsableOutput } from './probe.ts';

export const diskFact = z.object({
  filesystems: z.array(
    z.object({
      device: z.string(),
      sizeBytes: z.number().nonnegative(),
      usedBytes: z.number().nonnegative(),
      availableBytes: z.number().nonnegative(),
      mountpoint: z.string(),
    }),
  ),
});

export const diskProbe = defineProbe({
  id: 'disk',
  description: 'Size of the root filesystem, from POSIX `df -Pk /`.',
  example: '{ filesystems: [{ device: "/dev/vda1", sizeBytes: 75161927680, mountpoint: "/" }] }',
  commands: () => ({ df: 'df -Pk /' }),
  schema: diskFact,
  parse() {
    throw new UnparsableOutput('parser pending', '');
  },
});
