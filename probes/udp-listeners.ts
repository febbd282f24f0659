import { z } from 'zod';
import { type CommandOutput, defineProbe } from './probe.ts';
import { partOf, splitLines, unparsable } from './text.ts';

export const udpListenersFact = z.object({
  sockets: z.array(
    z.object({
      localAddress: z.string(),
      port: z.int().nonnegative(),
      /** Process name when the tool could show it (root only); null otherwise. */
      process: z.string().nullable(),
    }),
  ),
});

export const udpListenersProbe = defineProbe({
  id: 'udp-listeners',
  description: 'Listening UDP sockets (`ss -ulnp`, or `netstat -ulnp` where ss is missing).',
  example: '{ sockets: [{ localAddress: "0.0.0.0", port: 123, process: "chronyd" }] }',
  commands: () => ({
    sockets: 'if command -v ss >/dev/null 2>&1; then ss -ulnp; else netstat -ulnp; fi',
  }),
  schema: udpListenersFact,
  /**
   * `ss -ulnp` rows ("[udp] UNCONN 0 0 local:port peer:port [users:((…))]", header optional) or
   * `netstat -ulnp` rows ("udp[6] 0 0 local:port foreign:port [state] [user inode] pid/prog|-",
   * title and header optional). Rows of other protocols (tcp, in `-t` samples) are skipped.
   * localAddress drops IPv6 brackets and a "%iface" suffix; old ss's "*" wildcard is kept as "*"
   * (it stands for either family). process is the first process ss names, netstat's program, or
   * null when not shown. Empty output (both tools always print a header) and any other line are
   * Unparsable.
   */
  parse(outputs) {
    const out = partOf(outputs, 'sockets');
    if (out.exitCode !== 0) throw unparsable(`ss/netstat exited ${out.exitCode}`, out);
    const lines = splitLines(out.stdout).filter((l) => l.trim() !== '');
    if (lines.length === 0) throw unparsable('no output at all (not even a header)', out);
    const sockets = [];
    for (const line of lines) {
      if (SS_HEADER.test(line) || NETSTAT_HEADER.test(line) || /^Active Internet connections/.test(line)) continue;
      const fields = line.trim().split(/\s+/);
      const socket =
        /^(?:udp|tcp|raw)6?$/.test(fields[0]!) && /^\d+$/.test(fields[1] ?? '')
          ? netstatRow(fields, line, out)
          : ssRow(fields, line, out);
      if (socket !== null) sockets.push(socket);
    }
    return udpListenersFact.parse({ sockets });
  },
});

const SS_HEADER = /^(?:Netid\s+)?State\s+Recv-Q\s+Send-Q\s+Local Address:Port\s+Peer Address:Port\s*(?:Process)?\s*$/;
const NETSTAT_HEADER =
  /^Proto\s+Recv-Q\s+Send-Q\s+Local Address\s+Foreign Address\s+State\s+(?:User\s+Inode\s+)?PID\/Program name\s*$/;
type Socket = z.infer<typeof udpListenersFact>['sockets'][number];

function ssRow(fields: string[], line: string, out: CommandOutput): Socket | null {
  const netid =
    /^[a-z][a-z0-9_]*$/.test(fields[0]!) && /^[A-Z][A-Z0-9-]*$/.test(fields[1] ?? '') ? fields.shift()! : 'udp';
  const [state, recvQ, sendQ, local, peer, ...rest] = fields;
  if (
    !state ||
    !/^[A-Z][A-Z0-9-]*$/.test(state) ||
    !/^\d+$/.test(recvQ ?? '') ||
    !/^\d+$/.test(sendQ ?? '') ||
    !peer ||
    rest.length > 1
  ) {
    throw unparsable(`not an ss row: ${line}`, out);
  }
  if (netid !== 'udp') return null;
  let process: string | null = null;
  if (rest[0] !== undefined) {
    const m = /^users:\(\("((?:[^"\\]|\\.)*)",/.exec(rest[0]);
    if (!m) throw unparsable(`not an ss users: column: ${rest[0]}`, out);
    process = m[1]!;
  }
  return { ...endpoint(local!, line, out), process };
}

function netstatRow(fields: string[], line: string, out: CommandOutput): Socket | null {
  const [proto, , sendQ, local, foreign, ...rest] = fields;
  if (!/^\d+$/.test(sendQ ?? '') || !foreign || rest.length === 0) {
    throw unparsable(`not a netstat row: ${line}`, out);
  }
  if (!proto!.startsWith('udp')) return null;
  // UDP rows leave State empty unless the socket is connected; -e adds numeric User and Inode.
  if (/^[A-Z][A-Z_0-9]*$/.test(rest[0]!)) rest.shift();
  if (rest.length >= 3 && /^\w+$/.test(rest[0]!) && /^\d+$/.test(rest[1]!)) rest.splice(0, 2);
  const program = rest.join(' ');
  const m = /^(?:-|\d+\/(.+))$/.exec(program);
  if (!m) throw unparsable(`not a netstat PID/Program column: ${program}`, out);
  return { ...endpoint(local!, line, out), process: m[1] ?? null };
}

/** "addr:port" with ss's "[v6]" brackets and "%iface" suffix, or netstat's bare "::1:323". */
function endpoint(text: string, line: string, out: CommandOutput): { localAddress: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(text);
  if (!m) throw unparsable(`no local port in: ${line}`, out);
  const localAddress = m[1]!
    .replace(/%[^\]]+$/, '')
    .replace(/^\[(.*)\](?:%.*)?$/, '$1')
    .replace(/%.*$/, '');
  if (localAddress === '') throw unparsable(`no local address in: ${line}`, out);
  return { localAddress, port: Number(m[2]) };
}
