/**
 * Experiment: one cold SSH connection + one exec of `true`, nothing else — labspec's transport
 * (gather/ssh.ts, in process, already loaded) against the `ssh` client, alternating, against one sshd
 * of the benchmark's kind. Also with TCP_NODELAY on labspec's socket. Run: npx node bench/experiments/connect.ts [rounds]
 */
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { sshTransport } from '../../gather/ssh.ts';
import { stats } from '../fleet/measure.ts';
import { startFleet } from '../fleet/sshd-fleet.ts';

const rounds = Number(process.argv[2] ?? 30);
const fleet = await startFleet(1);
const port = fleet.ports[0]!;
const connect = net.Socket.prototype.connect;
let noDelay = false;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  if (noDelay) this.setNoDelay(true);
  return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof connect;

const labspec = async (cmd: string) => {
  const t = sshTransport({
    name: 'h',
    address: '127.0.0.1',
    port,
    user: 'root',
    identityFile: fleet.clientKey,
    knownHostsFile: fleet.knownHosts,
    strictHostKeyChecking: 'yes',
    connectTimeoutMs: 10_000,
  } as Parameters<typeof sshTransport>[0]);
  const start = performance.now();
  const r = await t.run(cmd, '', { deadline: Date.now() + 30_000, maxOutputBytes: 1 << 20 });
  if (r.exitCode !== 0) throw new Error(`exit ${r.exitCode}`);
  return performance.now() - start;
};
const ssh = (cmd: string) => {
  const start = performance.now();
  const r = spawnSync(
    'ssh',
    [
      ...'-F none -o BatchMode=yes -o ControlMaster=no -o ControlPath=none -o IdentitiesOnly=yes -o IdentityAgent=none -o UpdateHostKeys=no'.split(
        ' ',
      ),
      '-o',
      `UserKnownHostsFile=${fleet.knownHosts}`,
      '-o',
      'GlobalKnownHostsFile=/dev/null',
      '-i',
      fleet.clientKey,
      '-p',
      String(port),
      '-l',
      'root',
      '127.0.0.1',
      cmd,
    ],
    { stdio: 'ignore' },
  );
  if (r.status !== 0) throw new Error(`ssh exit ${r.status}`);
  return performance.now() - start;
};
const sshKex = (kex: string) => () => {
  const start = performance.now();
  spawnSync(
    'ssh',
    [
      ...'-F none -o BatchMode=yes -o ControlMaster=no -o ControlPath=none -o IdentitiesOnly=yes -o IdentityAgent=none -o UpdateHostKeys=no'.split(
        ' ',
      ),
      '-o',
      `KexAlgorithms=${kex}`,
      '-o',
      `UserKnownHostsFile=${fleet.knownHosts}`,
      '-o',
      'GlobalKnownHostsFile=/dev/null',
      '-i',
      fleet.clientKey,
      '-p',
      String(port),
      '-l',
      'root',
      '127.0.0.1',
      'true',
    ],
    { stdio: 'ignore' },
  );
  return performance.now() - start;
};
try {
  await labspec('true'); // warm: modules, JIT
  const s = { labspec: [] as number[], labspecNoDelay: [] as number[], ssh: [] as number[], sshCurve: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    noDelay = false;
    s.labspec.push(await labspec('true'));
    noDelay = true;
    s.labspecNoDelay.push(await labspec('true'));
    s.ssh.push(ssh('true'));
    s.sshCurve.push(sshKex('curve25519-sha256')());
  }
  const show = (k: string, v: number[]) => {
    const x = stats(v);
    console.log(`${k.padEnd(44)} median ${x.median.toFixed(1)} ms  min ${x.min.toFixed(1)}  max ${x.max.toFixed(1)}`);
  };
  show('labspec transport (ssh2, in process)', s.labspec);
  show('labspec transport + setNoDelay(true)', s.labspecNoDelay);
  show('ssh client (sntrup761x25519, process start)', s.ssh);
  show('ssh client -o KexAlgorithms=curve25519-sha256', s.sshCurve);
} finally {
  fleet.stop();
}
