import { z } from 'zod';
import { defineProbe } from './probe.ts';
import { isIPv4, isIPv6, partOf, splitLines, unparsable } from './text.ts';

export const addressesFact = z.object({
  addresses: z.array(
    z.object({
      interface: z.string(),
      family: z.enum(['inet', 'inet6']),
      address: z.string(),
      prefixLength: z.int().nonnegative(),
    }),
  ),
});

export const addressesProbe = defineProbe({
  id: 'addresses',
  description: 'IP addresses configured on the interfaces (`ip -o addr show`).',
  example: '{ addresses: [{ interface: "eth0", family: "inet", address: "10.0.0.100", prefixLength: 24 }] }',
  commands: () => ({ addr: 'ip -o addr show' }),
  schema: addressesFact,
  /**
   * One line per address: "<index>: <ifname>    inet[6] <addr>/<prefix> [peer <addr>/<prefix>] ...";
   * what follows (brd, scope, flags, label, "\\" + lifetimes) is not needed. A point-to-point
   * "inet A peer B/N" takes N from the peer. Any other line (family, address shape) is Unparsable.
   */
  parse(outputs) {
    const addr = partOf(outputs, 'addr');
    if (addr.exitCode !== 0) throw unparsable(`ip -o addr show exited ${addr.exitCode}`, addr);
    const addresses = splitLines(addr.stdout).map((line) => {
      const m = /^\d+:\s+(\S+?)\s+(inet6?)\s+(?:(\S+)\s+peer\s+\S+?|(\S+?))\/(\d{1,3})(?:\s|$)/.exec(line);
      if (!m) throw unparsable(`not an ip -o addr line: ${line}`, addr);
      const family = m[2] as 'inet' | 'inet6';
      const address = (m[3] ?? m[4])!;
      const prefixLength = Number(m[5]);
      const valid = family === 'inet' ? isIPv4(address) && prefixLength <= 32 : isIPv6(address) && prefixLength <= 128;
      if (!valid) throw unparsable(`bad ${family} address ${address}/${prefixLength}`, addr);
      return { interface: m[1]!, family, address, prefixLength };
    });
    return addressesFact.parse({ addresses });
  },
});
