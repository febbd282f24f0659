/** Where console text goes; a terminal gets a progress line that rewrites itself. */
export interface ConsoleStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** How many of the hosts still being read the progress line names. */
const WAITING_NAMED = 3;

/**
 * Host-by-host progress, once a run has taken longer than a moment: the host just read, named as `student3/compute1`
 * in a class, and the hosts it still waits on, so a class run that hangs on a few VMs says which.
 */
export function progressReporter(
  stream: ConsoleStream,
  hosts: ReadonlyArray<{ lab: string; host: string }>,
  multipleLabs: boolean,
  quietForMs = 1000,
) {
  const started = Date.now();
  const nameOf = (lab: string, host: string) => (multipleLabs ? `${lab}/${host}` : host);
  const waiting = new Set(hosts.map((h) => nameOf(h.lab, h.host)));
  let done = 0;
  let shown = false;
  return {
    hostDone(host: { lab: string; host: { name: string }; connection: { ok: boolean } }) {
      done++;
      const name = nameOf(host.lab, host.host.name);
      waiting.delete(name);
      if (Date.now() - started < quietForMs) return;
      shown = true;
      const pending = [...waiting];
      const named = pending.slice(0, WAITING_NAMED).join(', ');
      const more = pending.length > WAITING_NAMED ? ` and ${pending.length - WAITING_NAMED} more` : '';
      const rest = pending.length > 0 ? `; waiting on ${named}${more}` : '';
      const line = `labspec: gathered ${done}/${hosts.length} hosts (${name}${host.connection.ok ? '' : ': unreachable'})${rest}`;
      stream.write(stream.isTTY ? `\r\x1b[K${line}` : `${line}\n`);
    },
    done() {
      if (shown && stream.isTTY) stream.write('\n');
    },
  };
}
