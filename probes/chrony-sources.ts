import { z } from 'zod';
import { defineProbe, UnparsableOutput } from './probe.ts';

export const chronySource = z.object({
  /** ^ server, = peer, # local reference clock */
  mode: z.enum(['^', '=', '#']),
  /** * selected, + combined, - not combined, ? unusable, x falseticker, ~ too variable */
  state: z.enum(['*', '+', '-', '?', 'x', '~']),
  /** IP address with -n; a (possibly truncated) name otherwise. */
  address: z.string(),
  stratum: z.int().nonnegative(),
  reach: z.int().nonnegative(),
});
export type ChronySource = z.infer<typeof chronySource>;

export const chronySourcesFact = z.discriminatedUnion('daemon', [
  z.object({ daemon: z.literal('answered'), sources: z.array(chronySource) }),
  /** chronyc ran but could not talk to chronyd ("506 Cannot talk to daemon"), or chronyc is missing. */
  z.object({ daemon: z.literal('unreachable'), message: z.string() }),
]);

export const chronySourcesProbe = defineProbe({
  id: 'chrony-sources',
  description: "chrony's time sources and which one is selected (`chronyc -n sources`). On compute nodes it waits up to chronySyncWaitSeconds for a selected source.",
  example: '{ daemon: "answered", sources: [{ mode: "^", state: "*", address: "10.0.0.100", stratum: 11, reach: 377 }] }',
  commands: ({ role, chronySyncWaitSeconds }) => ({
    sources:
      role === 'compute' && chronySyncWaitSeconds > 0
        ? `i=0; while [ $i -lt ${Math.trunc(chronySyncWaitSeconds)} ] && ! chronyc -n sources 2>/dev/null | grep -q '^.\\*'; do sleep 1; i=$((i+1)); done; chronyc -n sources`
        : 'chronyc -n sources',
  }),
  schema: chronySourcesFact,
  parse() {
    throw new UnparsableOutput('parser pending', '');
  },
});
