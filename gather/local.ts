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
        const timer = setTimeout(() => {
          timedOut = true;
          // Only the child we started, by PID; grandchildren keep the pipes open, so stop reading too.
          if (child.pid !== undefined) {
            try {
              process.kill(child.pid, 'SIGKILL');
            } catch {
              /* already gone */
            }
          }
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
          resolve({ stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), exitCode, timedOut });
        };
        child.stdout.on('data', (d: Buffer) => {
          stdout.push(d);
          options.onStdout?.(d);
        });
        child.stderr.on('data', (d: Buffer) => stderr.push(d));
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
