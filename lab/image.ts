// Base image: a Debian bookworm rootfs built with debootstrap, configured to look like the
// tutorial's CentOS 7 lab host, cached outside the repository by the sha256 of its recipe.
import { $ } from 'zx';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile, copyFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMAGE_CACHE_DIR, LabError, requireTools } from './util.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
/** CentOS 7 /etc/os-release, staged verbatim into the image. */
const OS_RELEASE_FILE = join(HERE, 'files', 'centos7-os-release');

export const SUITE = 'bookworm';
export const PACKAGES: readonly string[] = [
  'systemd',
  'dbus',
  'libpam-systemd', // satisfies polkitd's virtual dependency (else firewalld/NM stay unconfigured)
  'openssh-server',
  'chrony',
  'firewalld',
  'netbase', // /etc/protocols, firewalld fails with INVALID_PROTOCOL: esp without it
  'network-manager',
  'selinux-utils',
  'iproute2',
  'procps',
];

export const CENTOS_RELEASE = 'CentOS Linux release 7.9.2009 (Core)';

/** Runs inside the fresh rootfs (chroot). Anything here is part of the recipe hash. */
const CONFIGURE_SCRIPT = String.raw`#!/bin/sh
set -eu
export DEBIAN_FRONTEND=noninteractive LC_ALL=C

# --- chrony: chronyd.service is the real unit (as on CentOS), chrony.service an alias.
systemctl disable chrony.service >/dev/null 2>&1 || true
mv /lib/systemd/system/chrony.service /lib/systemd/system/chronyd.service
sed -i -e 's/^Alias=chronyd.service/Alias=chrony.service/' /lib/systemd/system/chronyd.service
mkdir -p /etc/systemd/system/chronyd.service.d
cat > /etc/systemd/system/chronyd.service.d/labspec.conf <<'UNIT'
# Containers lack CAP_SYS_TIME: run anyway, and never touch the machine's clock (-x).
[Unit]
ConditionCapability=
[Service]
ExecStart=
ExecStart=!/usr/sbin/chronyd $DAEMON_OPTS -x
UNIT
echo 'd /run/chrony 0750 _chrony _chrony -' > /etc/tmpfiles.d/labspec-chrony.conf
sed -i -e '/^pool /d' -e '/^server /d' /etc/chrony/chrony.conf
systemctl enable chronyd.service >/dev/null 2>&1

# --- firewalld and NetworkManager: installed, stopped, disabled.
for u in firewalld.service NetworkManager.service NetworkManager-wait-online.service NetworkManager-dispatcher.service; do
  systemctl disable "$u" >/dev/null 2>&1 || true
done
mkdir -p /etc/NetworkManager/conf.d
printf '[keyfile]\nunmanaged-devices=*\n' > /etc/NetworkManager/conf.d/99-labspec-unmanaged.conf

# --- quieter, faster boots.
for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer dpkg-db-backup.timer \
         systemd-timesyncd.service getty@tty1.service; do
  systemctl disable "$u" >/dev/null 2>&1 || true
done
mkdir -p /etc/systemd/journald.conf.d
printf '[Journal]\nStorage=volatile\nRuntimeMaxUse=8M\n' > /etc/systemd/journald.conf.d/labspec.conf

# --- sshd: root by key only; per-host keys are generated at every lab up. The 'student'
# account logs in by password (set at every lab up), for tests of password authentication.
rm -f /etc/ssh/ssh_host_*
useradd --create-home --shell /bin/bash student
mkdir -p /etc/ssh/sshd_config.d
cat > /etc/ssh/sshd_config.d/labspec.conf <<'SSHD'
PermitRootLogin prohibit-password
PasswordAuthentication yes
KbdInteractiveAuthentication no
HostKey /etc/ssh/ssh_host_ed25519_key
UseDNS no
SSHD
mkdir -p -m 0700 /root/.ssh

# --- SELinux config as the tutorial wants it.
mkdir -p /etc/selinux
printf 'SELINUX=disabled\nSELINUXTYPE=targeted\n' > /etc/selinux/config

# --- CentOS 7 identity.
echo 'CentOS Linux release 7.9.2009 (Core)' > /etc/centos-release
ln -sf centos-release /etc/redhat-release
ln -sf centos-release /etc/system-release
rm -f /etc/os-release
cp /tmp/labspec-os-release /etc/os-release
chmod 0644 /etc/os-release /etc/centos-release
rm -f /tmp/labspec-os-release

# --- unique machine-id per container boot; drop caches.
: > /etc/machine-id
rm -f /var/lib/dbus/machine-id
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/debconf/*-old /var/log/*.log
`;

export interface ImageRecipe {
  suite: string;
  variant: string;
  packages: readonly string[];
  configure: string;
  osRelease: string;
}

export function recipe(): ImageRecipe {
  return {
    suite: SUITE,
    variant: 'minbase',
    packages: PACKAGES,
    configure: CONFIGURE_SCRIPT,
    osRelease: readFileSync(OS_RELEASE_FILE, 'utf8'),
  };
}

export function recipeHash(r: ImageRecipe = recipe()): string {
  return createHash('sha256').update(JSON.stringify(r)).digest('hex');
}

export function imagePath(hash: string = recipeHash()): string {
  return join(IMAGE_CACHE_DIR, hash);
}

const COMPLETE_MARKER = '.labspec-image-complete';

/**
 * The Debian mirror from this machine's apt configuration (one-line sources.list
 * entries and deb822 .sources files); never hard-coded.
 */
export function debianMirror(suite: string = SUITE): string {
  const files: string[] = [];
  if (existsSync('/etc/apt/sources.list')) files.push('/etc/apt/sources.list');
  const d = '/etc/apt/sources.list.d';
  if (existsSync(d)) for (const f of readdirSync(d).sort()) files.push(join(d, f));
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    if (f.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name: string): string[] => {
          const m = stanza.match(new RegExp(`^${name}:[ \\t]*(.*)$`, 'mi'));
          return m?.[1] ? m[1].trim().split(/\s+/) : [];
        };
        if (!field('Types').includes('deb') || !field('Suites').includes(suite)) continue;
        if (field('Enabled')[0] === 'no') continue;
        const uri = field('URIs').find((u) => /^https?:\/\//.test(u));
        if (uri) return uri;
      }
    } else if (f.endsWith('.list')) {
      for (const raw of text.split('\n')) {
        const line = raw.replace(/#.*/, '').trim();
        const m = line.match(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/);
        if (m && m[2] === suite && /^https?:\/\//.test(m[1] ?? '')) return m[1] as string;
      }
    }
  }
  throw new LabError(
    `labspec lab: no Debian '${suite}' mirror found in /etc/apt/sources.list or /etc/apt/sources.list.d/`,
  );
}

/** Removes a (failed) build dir without ever crossing into mounts debootstrap left inside it. */
async function removeBuildDir(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  await unmountUnder(dir);
  await $`rm -rf --one-file-system ${dir}`.nothrow();
}

async function unmountUnder(dir: string): Promise<void> {
  const mounts = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) {
    const r = await $`umount ${m}`.nothrow();
    if (r.exitCode !== 0) await $`umount -l ${m}`.nothrow();
  }
}

export interface ImageResult {
  path: string;
  hash: string;
  built: boolean;
  buildMs: number;
}

/** Images of older recipes (~280 MB each) go once a newer one is built; the lab only ever boots the current one. */
async function removeStaleImages(current: string, log: (msg: string) => void): Promise<void> {
  for (const entry of readdirSync(IMAGE_CACHE_DIR)) {
    if (entry === current || !/^[0-9a-f]{64}$/.test(entry)) continue;
    log(`removing the image of an older recipe: ${entry.slice(0, 12)}`);
    await removeBuildDir(join(IMAGE_CACHE_DIR, entry));
  }
}

/** Returns the cached image, building it (atomically) on first use. */
export async function ensureImage(log: (msg: string) => void = () => {}): Promise<ImageResult> {
  const r = recipe();
  const hash = recipeHash(r);
  const path = imagePath(hash);
  if (existsSync(join(path, COMPLETE_MARKER))) return { path, hash, built: false, buildMs: 0 };
  requireTools(['debootstrap', 'chroot']);
  const start = Date.now();
  await mkdir(IMAGE_CACHE_DIR, { recursive: true });
  const tmp = join(IMAGE_CACHE_DIR, `.tmp-${hash.slice(0, 16)}-${process.pid}`);
  await removeBuildDir(tmp);
  const mirror = debianMirror(r.suite);
  log(`building image ${hash.slice(0, 12)} with debootstrap (${r.suite}, first use only, ~2-3 min)`);
  const logFile = `${tmp}.log`;
  try {
    try {
      await $`debootstrap --variant=${r.variant} --include=${r.packages.join(',')} ${r.suite} ${tmp} ${mirror} >${logFile} 2>&1`;
    } catch {
      const tail = (await $`tail -n 25 ${logFile}`.nothrow()).stdout;
      throw new LabError(`labspec lab: debootstrap failed (log ${logFile}):\n${tail}`);
    }
    await unmountUnder(tmp);
    await copyFile(OS_RELEASE_FILE, join(tmp, 'tmp/labspec-os-release'));
    await writeFile(join(tmp, 'tmp/labspec-configure.sh'), r.configure, { mode: 0o755 });
    const conf = await $`chroot ${tmp} /bin/sh /tmp/labspec-configure.sh`.nothrow();
    if (conf.exitCode !== 0) throw new LabError(`labspec lab: image configuration failed:\n${conf.stderr.trim()}`);
    await rm(join(tmp, 'tmp/labspec-configure.sh'), { force: true });
    await writeFile(join(tmp, COMPLETE_MARKER), JSON.stringify({ hash, builtAt: new Date().toISOString() }) + '\n');
    if (existsSync(path)) await rm(path, { recursive: true, force: true });
    await rename(tmp, path);
    await rm(logFile, { force: true });
    await removeStaleImages(hash, log);
  } catch (e) {
    await removeBuildDir(tmp);
    throw e;
  }
  return { path, hash, built: true, buildMs: Date.now() - start };
}
