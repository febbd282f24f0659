import { isIP } from 'node:net';
import type { EtcHostsEntry } from '../probes/etc-hosts.ts';

export interface HostsMapping {
  /** Lines mapping the name (as canonical name or alias) to the expected address. */
  agreeing: EtcHostsEntry[];
  /** IPv4 lines mapping the name to another address. */
  conflicting: EtcHostsEntry[];
}

/**
 * How /etc/hosts maps `name` against the expected IPv4 `address`. Aliases count; commented
 * lines never reach here. Another IPv4 address for the same name is a conflict (the resolver
 * would answer whichever line comes first); IPv6 lines for the name are a different family
 * and are left alone.
 */
export function mapHostsName(entries: EtcHostsEntry[], name: string, address: string): HostsMapping {
  const wanted = name.toLowerCase();
  const naming = entries.filter((e) => e.names.some((n) => n.toLowerCase() === wanted));
  return {
    agreeing: naming.filter((e) => e.address === address),
    conflicting: naming.filter((e) => e.address !== address && isIP(e.address) === 4),
  };
}

export function describeEntry(entry: EtcHostsEntry): string {
  return `/etc/hosts:${entry.line} ${entry.address} ${entry.names.join(' ')}`;
}
