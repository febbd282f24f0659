// Kernel knobs the lab raises while it runs, saved at up and restored at down.
import { readFileSync, writeFileSync } from 'node:fs';

export const INOTIFY_INSTANCES = 'fs.inotify.max_user_instances';
const WANTED: Record<string, number> = { [INOTIFY_INSTANCES]: 1024 };

const path = (key: string): string => `/proc/sys/${key.replace(/\./g, '/')}`;

export function readSysctl(key: string): string {
  return readFileSync(path(key), 'utf8').trim();
}

export function writeSysctl(key: string, value: string): void {
  writeFileSync(path(key), `${value}\n`);
}

/** Raises the knobs that are below what the lab needs; returns the previous values. */
export function raiseSysctls(): Record<string, string> {
  const saved: Record<string, string> = {};
  for (const [key, want] of Object.entries(WANTED)) {
    const cur = readSysctl(key);
    saved[key] = cur;
    if (Number(cur) < want) writeSysctl(key, String(want));
  }
  return saved;
}

export function restoreSysctls(saved: Record<string, string>): void {
  for (const [key, value] of Object.entries(saved)) {
    if (readSysctl(key) !== value) writeSysctl(key, value);
  }
}
