// Lab access over real OpenSSH from inside the lab netns: client key, known_hosts, remote commands.
import { randomBytes } from 'node:crypto';
import { $ } from 'zx';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { labExecPrefix } from './network.ts';
import type { Reach } from './topology.ts';
import { STATE_DIR, writeText } from './util.ts';

export const IDENTITY_FILE = join(STATE_DIR, 'id_ed25519');
export const KNOWN_HOSTS_FILE = join(STATE_DIR, 'known_hosts');
export const INVENTORY_FILE = join(STATE_DIR, 'inventory.yaml');
/** The `student` account's password on every lab host, new at every up. */
export const STUDENT_PASSWORD_FILE = join(STATE_DIR, 'student.password');

export async function generateStudentPassword(): Promise<string> {
  const password = randomBytes(12).toString('base64url');
  await writeText(STUDENT_PASSWORD_FILE, `${password}\n`, 0o600);
  return password;
}

export async function generateClientKey(): Promise<string> {
  await rm(IDENTITY_FILE, { force: true });
  await rm(`${IDENTITY_FILE}.pub`, { force: true });
  await $`ssh-keygen -q -t ed25519 -N ${''} -C labspec-lab -f ${IDENTITY_FILE}`;
  return (await $`cat ${IDENTITY_FILE}.pub`).stdout;
}

/** The name known_hosts files a host under: its address, `[address]:port` off port 22. */
export function knownHostsName(reach: Reach): string {
  return reach.port === 22 ? reach.address : `[${reach.address}]:${reach.port}`;
}

/** known_hosts with each host's real ed25519 host key (`public key` as ssh-keygen wrote it) under the names given. */
export async function writeKnownHosts(
  entries: ReadonlyArray<{ names: readonly string[]; publicKey: string }>,
): Promise<void> {
  const lines = entries.map(({ names, publicKey }) => {
    const [type, key] = publicKey.split(/\s+/);
    return `${names.join(',')} ${type} ${key}`;
  });
  await writeText(KNOWN_HOSTS_FILE, lines.join('\n') + '\n', 0o644);
}

export function sshArgv(reach: Reach, command: string, connectTimeout = 2): string[] {
  return [
    ...labExecPrefix(),
    'ssh',
    '-F',
    '/dev/null',
    '-i',
    IDENTITY_FILE,
    '-o',
    `UserKnownHostsFile=${KNOWN_HOSTS_FILE}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'LogLevel=ERROR',
    '-o',
    `ConnectTimeout=${connectTimeout}`,
    '-p',
    String(reach.port),
    `root@${reach.address}`,
    command,
  ];
}

export interface SshResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** Runs a command on a lab host over SSH, from the runner's netns, the way labspec reaches it. */
export async function sshRun(reach: Reach, command: string, connectTimeout = 2): Promise<SshResult> {
  const [cmd, ...args] = sshArgv(reach, command, connectTimeout);
  const r = await $`${cmd} ${args}`.nothrow();
  return { ok: r.exitCode === 0, stdout: r.stdout, stderr: r.stderr };
}
