import type { ChronyDirective } from '../probes/chrony-config.ts';
import { contains, formatNet, parseChronySubnet, type Ipv4Net } from './cidr.ts';

export interface AccessRule {
  net: Ipv4Net;
  allow: boolean;
  directive: ChronyDirective;
}

export interface AccessDecision {
  granted: boolean;
  /** The most specific rule covering the whole target; null when none does (chrony's default is deny). */
  governing: AccessRule | null;
  /** More specific rules inside the target that contradict the governing one. */
  exceptions: AccessRule[];
  /** Rules naming a host that could not be resolved without DNS. */
  unresolved: ChronyDirective[];
}

/**
 * chrony's NTP access rules as chronyd applies them: directives in order, each `allow`/`deny`
 * setting its subnet (replacing an identical one), `allow all`/`deny all` also clearing every
 * rule inside their subnet; an address is governed by the most specific rule containing it,
 * and with no rule it is denied. Host names resolve through `names` (the lab's addresses).
 */
export function decideAccess(
  directives: ChronyDirective[],
  target: Ipv4Net,
  names: ReadonlyMap<string, string>,
): AccessDecision {
  let rules: AccessRule[] = [];
  const unresolved: ChronyDirective[] = [];
  for (const directive of directives) {
    if (directive.keyword !== 'allow' && directive.keyword !== 'deny') continue;
    const allow = directive.keyword === 'allow';
    const clearsInner = directive.args[0]?.toLowerCase() === 'all';
    const subnetText = clearsInner ? directive.args[1] : directive.args[0];
    const net = subnetText === undefined ? { base: 0, prefix: 0 } : resolveSubnet(subnetText, names);
    if (net === undefined) continue; // IPv6: says nothing about an IPv4 lab subnet
    if (net === null) {
      unresolved.push(directive);
      continue;
    }
    rules = rules.filter(
      (r) => !(clearsInner ? contains(net, r.net) : r.net.prefix === net.prefix && r.net.base === net.base),
    );
    rules.push({ net, allow, directive });
  }
  const covering = rules.filter((r) => contains(r.net, target)).sort((a, b) => b.net.prefix - a.net.prefix);
  const governing = covering[0] ?? null;
  const grantedByGoverning = governing?.allow ?? false;
  const exceptions = rules.filter(
    (r) => r.net.prefix > target.prefix && contains(target, r.net) && r.allow !== grantedByGoverning,
  );
  const unresolvedDeny = unresolved.some((d) => d.keyword === 'deny');
  return {
    granted: grantedByGoverning && exceptions.length === 0 && !unresolvedDeny,
    governing,
    exceptions,
    unresolved,
  };
}

/** undefined for IPv6, null for a name not in `names`. */
function resolveSubnet(text: string, names: ReadonlyMap<string, string>): Ipv4Net | null | undefined {
  if (text.includes(':')) return undefined;
  const net = parseChronySubnet(text);
  if (net) return net;
  const [name, prefix] = text.split('/');
  const address = names.get((name ?? '').toLowerCase());
  return address ? parseChronySubnet(prefix === undefined ? `${address}/32` : `${address}/${prefix}`) : null;
}

export function describeRule(rule: AccessRule): string {
  return (
    `${rule.directive.file}:${rule.directive.line} ${rule.directive.keyword} ${rule.directive.args.join(' ')}`.trim() +
    ` (${rule.allow ? 'allows' : 'denies'} ${formatNet(rule.net)})`
  );
}
