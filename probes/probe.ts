import type { z } from 'zod';

/** What one shell command printed on the host, exactly as received. */
export interface CommandOutput {
  stdout: string;
  stderr: string;
  /** null when the command never finished (host deadline, dropped connection). */
  exitCode: number | null;
  /** The output passed the per-probe limit and was cut on the host. */
  truncated?: boolean;
}

/** Options that shape a probe's commands; only validated numbers and addresses, never free text from the inventory. */
export interface ProbeOptions {
  role: 'controller' | 'compute';
  /** How long a compute node may wait on the host for chrony to select a source. */
  chronySyncWaitSeconds: number;
  /**
   * On a controller: the lab addresses of its lab's compute nodes that are dotted-quad IPv4 addresses
   * (validated again by the probe that puts them into `chronyc accheck`). Absent or empty: none.
   */
  peers?: readonly string[];
  /**
   * On a compute node: its lab's controller's lab address, when it is a dotted-quad IPv4 address (validated
   * again by chrony-sources, which puts it into its wait). Absent: the compute node has nothing to wait for.
   */
  syncSource?: string;
}

/**
 * A probe reads one aspect of a host. Its commands are fixed, reviewed, read-only shell
 * snippets; its parser turns their output into a typed fact validated by its schema.
 */
export interface Probe<Schema extends z.ZodType = z.ZodType> {
  id: string;
  description: string;
  /** A line of the parsed fact, for the docs. */
  example: string;
  /** Part name → command. Each part is framed and recorded separately. */
  commands(options: ProbeOptions): Record<string, string>;
  /**
   * The parts that print files (sizes the host decides): each is cut on the host one byte past the per-probe limit
   * (maxProbeOutputMiB), through `head -c`. The other parts print a program's answer, which the host's own state
   * bounds; they cost no extra process and are limited with the rest of the host (maxHostOutputMiB).
   */
  fileParts?: readonly string[];
  schema: Schema;
  /** Throws UnparsableOutput when the output is not understood: never guesses. */
  parse(outputs: Record<string, CommandOutput>): z.infer<Schema>;
}

/** The output did not match any known format; carries the raw text so the report can show it. */
export class UnparsableOutput extends Error {
  readonly raw: string;
  constructor(message: string, raw: string) {
    super(message);
    this.name = 'UnparsableOutput';
    this.raw = raw;
  }
}

export function defineProbe<Schema extends z.ZodType>(probe: Probe<Schema>): Probe<Schema> {
  return probe;
}

/** `command not found` from the POSIX shell. */
export const COMMAND_NOT_FOUND = 127;
