import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labspec } from '../helpers/labspec-cli.ts';
import { resultsDocument } from '../../outputs/report.ts';
import { readFileSync } from 'node:fs';
import { startSshd, type TestSshd } from '../helpers/sshd.ts';

const isRoot = process.getuid?.() === 0;

/**
 * Sessions that end before the probes do, on real sshd: each error must say what really happened,
 * quoting the remote exit status and what the shell printed, not blame a deadline that never passed.
 */
describe.skipIf(!isRoot)('sessions that end early (real sshd, needs root)', () => {
  const servers: TestSshd[] = [];
  let results: ReturnType<typeof resultsDocument.parse>;
  let exitCode: number | null;

  beforeAll(async () => {
    const nologin = await startSshd(['ForceCommand /usr/sbin/nologin']);
    const quits = await startSshd(['ForceCommand /bin/true']);
    // The shell reads only the first part of the script, then its input ends: some probes run, most never do.
    const cut = await startSshd([`ForceCommand /bin/sh -c "head -c 5000 | /bin/sh"`]);
    servers.push(nologin, quits, cut);
    const dir = nologin.dir;
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, servers.map((s) => `[127.0.0.1]:${s.port} ${s.hostKeys.ed25519}\n`).join(''));
    const host = (name: string, server: TestSshd, address: string, role = 'compute') =>
      `  - { name: ${name}, address: 127.0.0.1, port: ${server.port}, labAddress: ${address}, role: ${role} }`;
    const inventory = join(dir, 'inventory.yaml');
    writeFileSync(
      inventory,
      [
        `defaults: { user: root, identityFile: ${nologin.clientKey}, knownHostsFile: ${knownHosts}, deadlineSeconds: 30 }`,
        'hosts:',
        host('controller', nologin, '10.0.0.100', 'controller'),
        host('compute1', quits, '10.0.0.101'),
        host('compute2', cut, '10.0.0.102'),
        '',
      ].join('\n'),
    );
    // Each server authorizes its own client key: use one key for all.
    for (const server of servers.slice(1)) {
      writeFileSync(join(server.dir, 'authorized_keys'), readFileSync(join(nologin.dir, 'authorized_keys')));
    }
    const run = labspec(['run', '--inventory', inventory, '--reports', join(dir, 'reports'), '-q'], {
      env: { HOME: dir },
    });
    exitCode = run.code;
    results = resultsDocument.parse(JSON.parse(readFileSync(join(dir, 'reports', 'results.json'), 'utf8')));
  }, 120_000);

  afterAll(async () => {
    for (const server of servers) await server.stop();
  });

  const messageOf = (host: string, check: string) =>
    results.results.find((r) => r.host === host && r.check === check)!.message;

  it('a nologin shell: its exit status and its words', () => {
    expect(messageOf('controller', 'os.release')).toBe(
      'probe release did not finish (osRelease, centosRelease, centosReleasePath): ' +
        'the remote shell exited with status 1 before running the probes: "This account is currently not available."',
    );
  });

  it('a shell that is /bin/true: exit 0, nothing run', () => {
    expect(messageOf('compute1', 'cpu.count')).toMatch(
      /: the remote shell exited with status 0 before running the probes$/,
    );
  });

  it('a session cut midway: the probes that ran are judged, the rest say the session closed', () => {
    const statuses = results.results.filter((r) => r.host === 'compute2').map((r) => r.status);
    expect(statuses).toContain('error');
    expect(statuses.some((s) => s === 'pass' || s === 'fail')).toBe(true);
    const unfinished = results.results.find((r) => r.host === 'compute2' && r.message.includes('did not finish'))!;
    expect(unfinished.message).toMatch(
      /the SSH session closed with status \d+ after \d+\.\ds, before every probe finished$/,
    );
    expect(results.results.every((r) => !r.message.includes('deadline'))).toBe(true);
  });

  it('ends with exit 1 or 3, never a pass', () => {
    expect([1, 3]).toContain(exitCode);
  });
});
