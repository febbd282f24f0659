import { spawn } from 'node:child_process';
import { TransportError, type RunOptions, type RunResult, type Transport } from './transport.ts';

/** Runs the command with `/bin/sh -c` on this machine. */
export function localTransport(): Transport {
  return {
    description: 'local',
    notes: [],
    run(command: string, stdin: string, options: RunOptions): Promise<RunResult> {
      return new Promise((resolve, reject) => {
        const remaining = options.deadline - Date.now();
        if (remaining <= 0) {
          reject(new TransportError('timeout', 'local: deadline passed before the command started'));
          return;
        }
        const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'] });
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let timedOut = false;
        let overflowed = false;
        let received = 0;
        // Only the child we started, by PID; grandchildren keep the pipes open, so stop reading too.
        const stop = () => {
          if (child.pid === undefined) return;
          try {
            process.kill(child.pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        };
        const timer = setTimeout(() => {
          timedOut = true;
          stop();
          finish(null);
        }, remaining);
        let done = false;
        const finish = (exitCode: number | null) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          child.stdout.destroy();
          child.stderr.destroy();
          child.stdin.destroy();
          resolve({
            stdout: Buffer.concat(stdout),
            stderr: Buffer.concat(stderr),
            exitCode,
            timedOut,
            overflowed,
            hostKey: null,
          });
        };
        // Past the per-host limit the child is stopped and nothing more is kept.
        const keep = (into: Buffer[], chunk: Buffer) => {
          if (done) return false;
          received += chunk.length;
          if (received > options.maxOutputBytes) {
            overflowed = true;
            stop();
            finish(null);
            return false;
          }
          into.push(chunk);
          return true;
        };
        child.stdout.on('data', (d: Buffer) => {
          if (keep(stdout, d)) options.onStdout?.(d);
        });
        child.stderr.on('data', (d: Buffer) => keep(stderr, d));
        child.stdin.on('error', () => {
          /* EPIPE when the command does not read its stdin */
        });
        child.on('error', (err) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          reject(new TransportError('config', `local: cannot run /bin/sh: ${err.message}`));
        });
        child.on('close', (code) => finish(code));
        child.stdin.end(stdin);
      });
    },
  };
}
