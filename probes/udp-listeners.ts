import { z } from 'zod';
import { defineProbe, UnparsableOutput } from './probe.ts';

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
  parse() {
    throw new UnparsableOutput('parser pending', '');
  },
});
