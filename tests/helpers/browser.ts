/**
 * Debian's Chromium (`/usr/bin/chromium`, package `chromium`), headless, driven by playwright-core, in a network
 * namespace of its own: loopback up, no other link, no route. Chromium makes requests of its own (component updates,
 * safe browsing, DNS prefetch); there they reach nothing, and the page's own requests are recorded by the test.
 *
 * playwright-core talks to Chromium over a pipe (fds 3 and 4), not over the network, so only the browser needs to
 * be in the namespace: it is started through a wrapper that runs `unshare --net` (a new, anonymous namespace), brings
 * lo up, writes what the namespace holds (its id, links and routes) to a file, and execs Chromium with playwright's
 * arguments. The kernel removes an anonymous namespace with its last process, so even a test killed mid-way leaves
 * no namespace behind; browser.close() (and playwright's exit handler, on a crash) ends Chromium's process group.
 * Needs root (unshare --net).
 */
import { existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface NetworkNamespace {
  /** `net:[4026532587]`, as /proc/<pid>/ns/net names it. */
  id: string;
  /** `ip -o link show`: one line per link. */
  links: string[];
  /** `ip route show table all` for IPv4 and IPv6: every route of every table. */
  routes: string[];
}

export interface OfflineBrowser {
  browser: Browser;
  /** The namespace the browser runs in, as it was when the browser started. */
  namespace: NetworkNamespace;
  /** The test's own namespace, for comparison. */
  ownNamespace: string;
  close(): Promise<void>;
}

/** Why the browser test cannot run here, or null when it can. */
export function offlineBrowserUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (unshare --net)';
  if (!existsSync(CHROMIUM)) return `needs Debian's chromium package (${CHROMIUM})`;
  return null;
}

/** `dir`: a private folder for the wrapper and the namespace record (its path must need no shell quoting). */
export async function launchOfflineChromium(dir: string): Promise<OfflineBrowser> {
  if (!/^[\w./-]+$/.test(dir)) throw new Error(`browser folder ${dir}: only letters, digits and ./-_ please`);
  const record = join(dir, 'browser-netns.txt');
  const wrapper = join(dir, 'chromium-offline.sh');
  writeFileSync(
    wrapper,
    [
      '#!/bin/sh',
      '# Chromium in a network namespace of its own: loopback only, no route (labspec browser test).',
      `exec unshare --net -- /bin/sh -c 'ip link set lo up && { readlink /proc/self/ns/net; echo --; ip -o link show; echo --; ip -4 route show table all; ip -6 route show table all; } > "$0" && exec ${CHROMIUM} "$@"' ${record} "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  const browser = await chromium.launch({
    executablePath: wrapper,
    // The namespace already keeps everything in; these keep Chromium from even trying.
    args: ['--no-first-run', '--no-default-browser-check', '--disable-background-networking', '--disable-sync'],
    timeout: 60_000,
  });
  const [id = '', links = '', routes = ''] = readFileSync(record, 'utf8').split('--\n');
  const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');
  return {
    browser,
    namespace: { id: id.trim(), links: lines(links), routes: lines(routes) },
    ownNamespace: readlinkSync('/proc/self/ns/net'),
    close: () => browser.close(),
  };
}
