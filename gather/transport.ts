/** Why a host could not be read, in one line the user can act on. */
export type TransportFailure =
  | 'config' // bad connection settings: missing key file, unset password variable, bad ssh_config
  | 'unreachable' // DNS failure, connection refused, no route
  | 'timeout' // connect timeout or no SSH banner in time
  | 'auth' // every authentication method was refused
  | 'hostkey-unknown' // not in known_hosts and strictHostKeyChecking is yes
  | 'hostkey-changed' // known_hosts has a different key: possible man-in-the-middle
  | 'protocol'; // the SSH session broke before the command started

export class TransportError extends Error {
  readonly failure: TransportFailure;
  constructor(failure: TransportFailure, message: string) {
    super(message);
    this.name = 'TransportError';
    this.failure = failure;
  }
}

export interface RunResult {
  stdout: Buffer;
  stderr: Buffer;
  /** null when the command did not finish: killed at the deadline, or the channel closed without a status. */
  exitCode: number | null;
  /** The per-host deadline fired; stdout/stderr hold what had arrived by then. */
  timedOut: boolean;
  /** The host sent more than `maxOutputBytes`; labspec stopped reading, and stdout/stderr hold what came first. */
  overflowed: boolean;
  /** The SSH host key the target presented and was accepted, `ssh-ed25519 SHA256:…`; null without SSH. */
  hostKey: string | null;
}

export interface RunOptions {
  /** Absolute time (Date.now() scale) by which the whole run, connection included, must end. */
  deadline: number;
  /** Called with each piece of stdout as it arrives: lets the caller time each probe without asking the host. */
  onStdout?: (chunk: Buffer) => void;
  /** Stdout and stderr together; past it the session is closed. */
  maxOutputBytes: number;
}

/** A way to run one command, with a script on its standard input, on one host. */
export interface Transport {
  /** For reports: e.g. `ssh root@10.0.0.100:22 (via jump@bastion:22)` or `local`. */
  readonly description: string;
  /** Notes gathered while connecting, e.g. `host key recorded in ~/.ssh/known_hosts (accept-new)`. */
  readonly notes: string[];
  run(command: string, stdin: string, options: RunOptions): Promise<RunResult>;
}
