import type { HostFacts } from '../facts/host-facts.ts';
import type { HostIdentity } from '../inventory/load.ts';
import type { LabSettings } from '../inventory/schema.ts';

/** What the spec files evaluate: every lab, and every host's facts or why it could not be read. */
export interface RunData {
  labs: Array<{
    settings: LabSettings;
    hosts: Array<{ identity: HostIdentity; facts: HostFacts; unreachable: string | null }>;
  }>;
}

/** Per host, what the reports need beyond the verdicts: how it was reached and every command sent. */
export interface HostRecord {
  lab: string;
  host: string;
  address: string;
  labAddress: string;
  role: string;
  transport: string;
  startedAt: string;
  durationMs: number;
  connection: { ok: true } | { ok: false; failure: string; message: string };
  notes: string[];
  /** The remote command, then each probe command the script ran, in order. */
  commands: string[];
  snapshot: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    labspecRun: RunData;
  }
}
