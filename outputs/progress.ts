/** Where console text goes; a terminal gets a progress line that rewrites itself. */
export interface ConsoleStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Host-by-host progress, once a run has taken longer than a moment; names the host as `student3/compute1` in a class. */
export function progressReporter(stream: ConsoleStream, total: number, multipleLabs: boolean, quietForMs = 1000) {
  const started = Date.now();
  let done = 0;
  let shown = false;
  return {
    hostDone(host: { lab: string; host: { name: string }; connection: { ok: boolean } }) {
      done++;
      if (Date.now() - started < quietForMs) return;
      shown = true;
      const name = multipleLabs ? `${host.lab}/${host.host.name}` : host.host.name;
      const line = `labspec: gathered ${done}/${total} hosts (${name}${host.connection.ok ? '' : ': unreachable'})`;
      stream.write(stream.isTTY ? `\r\x1b[K${line}` : `${line}\n`);
    },
    done() {
      if (shown && stream.isTTY) stream.write('\n');
    },
  };
}
