/** Host-by-host progress on stderr, once a run has taken longer than a moment. */
export function progressReporter(total: number, quietForMs = 1000) {
  const started = Date.now();
  const tty = process.stderr.isTTY;
  let done = 0;
  let shown = false;
  return {
    hostDone(host: { lab: string; host: { name: string }; connection: { ok: boolean } }) {
      done++;
      if (Date.now() - started < quietForMs) return;
      shown = true;
      const line = `labspec: gathered ${done}/${total} hosts (${host.host.name}${host.connection.ok ? '' : ': unreachable'})`;
      process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
    },
    done() {
      if (shown && tty) process.stderr.write('\n');
    },
  };
}
