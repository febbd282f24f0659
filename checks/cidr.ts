import { isIP } from 'node:net';

/** An IPv4 network: base address as an unsigned 32-bit number, and prefix length. */
export interface Ipv4Net {
  base: number;
  prefix: number;
}

export function parseIpv4(address: string): number | null {
  if (isIP(address) !== 4) return null;
  return address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function formatNet(net: Ipv4Net): string {
  const b = net.base;
  return `${[b >>> 24, (b >>> 16) & 255, (b >>> 8) & 255, b & 255].join('.')}/${net.prefix}`;
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function makeNet(base: number, prefix: number): Ipv4Net {
  return { base: (base & mask(prefix)) >>> 0, prefix };
}

/** `a.b.c.d/n` or a bare address (/32). */
export function parseCidr(text: string): Ipv4Net | null {
  const [address, prefixText, ...rest] = text.split('/');
  const base = parseIpv4(address ?? '');
  if (base === null || rest.length > 0) return null;
  if (prefixText === undefined) return makeNet(base, 32);
  if (!/^\d{1,2}$/.test(prefixText) || Number(prefixText) > 32) return null;
  return makeNet(base, Number(prefixText));
}

/**
 * chrony's subnet syntax for allow/deny: like CIDR, but the address may be shortened to
 * 1–3 octets (`10.0.0/24`, `10/8`), and a shortened address without a prefix covers exactly
 * the octets written (`10.0.0` is 10.0.0.0/24).
 */
export function parseChronySubnet(text: string): Ipv4Net | null {
  const [address = '', prefixText, ...rest] = text.split('/');
  if (rest.length > 0) return null;
  const octets = address.split('.');
  if (octets.length > 4 || octets.some((o) => !/^\d{1,3}$/.test(o) || Number(o) > 255)) return null;
  const base = [0, 1, 2, 3].reduce((acc, i) => acc * 256 + Number(octets[i] ?? 0), 0);
  if (prefixText === undefined) return makeNet(base, octets.length * 8);
  if (!/^\d{1,2}$/.test(prefixText) || Number(prefixText) > 32) return null;
  return makeNet(base, Number(prefixText));
}

/** Does `outer` contain every address of `inner`? */
export function contains(outer: Ipv4Net, inner: Ipv4Net): boolean {
  return outer.prefix <= inner.prefix && (inner.base & mask(outer.prefix)) >>> 0 === outer.base;
}

export function overlaps(a: Ipv4Net, b: Ipv4Net): boolean {
  return contains(a, b) || contains(b, a);
}
