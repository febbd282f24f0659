// Directories and mounts that `ip netns` and systemd-nspawn create on the machine as a side
// effect; recorded before `up` so that `down` removes exactly what the lab added.
import { existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { $ } from 'zx';
import { STATE_DIR } from './util.ts';

export interface Footprint {
  /** Side-effect directories that did not exist before the lab came up. */
  created: string[];
  /** Whether /run/netns was already a mount point (ip netns bind-mounts it onto itself). */
  netnsWasMounted: boolean;
}

const SIDE_DIRS = [
  '/run/netns',
  '/run/systemd/nspawn/propagate',
  '/run/systemd/nspawn',
  '/run/systemd',
  dirname(STATE_DIR),
];

function isMountPoint(path: string): boolean {
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[1] === path);
}

export function captureFootprint(): Footprint {
  return { created: SIDE_DIRS.filter((d) => !existsSync(d)), netnsWasMounted: isMountPoint('/run/netns') };
}

/** Undoes side effects recorded in the footprint; leaves anything that is still in use. */
export async function restoreFootprint(fp: Footprint): Promise<void> {
  const netnsEmpty = existsSync('/run/netns') && readdirSync('/run/netns').length === 0;
  if (!fp.netnsWasMounted && netnsEmpty) {
    for (let i = 0; i < 4 && isMountPoint('/run/netns'); i++) await $`umount /run/netns`.nothrow();
  }
  for (const d of fp.created) {
    try {
      rmdirSync(d); // only succeeds when empty
    } catch {
      /* in use or gone */
    }
  }
}
