import { z } from 'zod';
import { defineProbe } from './probe.ts';
import { partOf, splitLines, unparsable } from './text.ts';

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
  /**
   * POSIX `df -P` (header "Filesystem 1024-blocks|1K-blocks Used Available Capacity Mounted on"), one
   * row per filesystem; the mount point is the rest of the row, so it may contain spaces. Sizes are
   * KiB × 1024. Accepted besides, because samples of `df -alP 2>&1` show them: "df: …" error lines
   * before the header, blank lines, and autofs placeholder rows whose four numbers are all "-"
   * (skipped: there is no size to report). Non-POSIX layouts (wrapped rows, inode columns, lsblk) and
   * zero rows are Unparsable.
   */
  parse(outputs) {
    const df = partOf(outputs, 'df');
    if (df.exitCode !== 0) throw unparsable(`df exited ${df.exitCode}`, df);
    const lines = splitLines(df.stdout).filter((l) => l.trim() !== '');
    const header = lines.findIndex((l) => !/^(?:\S*\/)?df: /.test(l));
    if (
      header < 0 ||
      !/^Filesystem\s+(?:1024|1K)-blocks\s+Used\s+Available\s+Capacity\s+Mounted on\s*$/.test(lines[header]!)
    ) {
      throw unparsable('no POSIX df header (Filesystem 1024-blocks Used Available Capacity Mounted on)', df);
    }
    const filesystems = [];
    for (const line of lines.slice(header + 1)) {
      if (/^\S+\s+-\s+-\s+-\s+-\s+\//.test(line)) continue;
      const m = /^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(?:\d+%|-)\s(\/.*)$/.exec(line);
      if (!m) throw unparsable(`not a df -P row: ${line}`, df);
      const [, device, size, used, available, mountpoint] = m;
      filesystems.push({
        device: device!,
        sizeBytes: Number(size) * 1024,
        usedBytes: Number(used) * 1024,
        availableBytes: Number(available) * 1024,
        mountpoint: mountpoint!.replace(/^\s+/, ''),
      });
    }
    if (filesystems.length === 0) throw unparsable('df printed no filesystem row', df);
    return diskFact.parse({ filesystems });
  },
});
