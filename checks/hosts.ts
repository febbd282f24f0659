import type { HostIdentity } from '../inventory/load.ts';
import { fact, fail, pass, type HostCheck, type ObservedHost } from './check.ts';
import { describeEntry, mapHostsName } from './hosts-mapping.ts';

export function hostsVerdictParts(observer: ObservedHost, target: HostIdentity) {
  const { entries } = fact(observer, 'etcHosts');
  const mapping = mapHostsName(entries, target.name, target.labAddress);
  const problem =
    mapping.conflicting.length > 0
      ? `conflicting mapping ${mapping.conflicting.map(describeEntry).join('; ')}`
      : mapping.agreeing.length === 0
        ? `no line maps ${target.name}`
        : null;
  return { mapping, problem };
}

/** `hosts.<name>`: this host's /etc/hosts maps the lab host `target` to its lab address. */
export function hostsEntryCheck(target: HostIdentity): HostCheck {
  return {
    id: `hosts.${target.name}`,
    title: `/etc/hosts maps ${target.name} to ${target.labAddress}`,
    appliesTo: 'all',
    fix: `echo '${target.labAddress} ${target.name}' >> /etc/hosts`,
    evaluate({ host }) {
      const { mapping, problem } = hostsVerdictParts(host, target);
      const expected = `${target.labAddress} ${target.name}`;
      const seen = [...mapping.agreeing, ...mapping.conflicting];
      const actual = seen.map(describeEntry).join('; ') || `no entry for ${target.name}`;
      const source = seen[0] ? `/etc/hosts:${(mapping.conflicting[0] ?? seen[0]).line}` : '/etc/hosts';
      if (!problem) return pass(expected, actual, source);
      const fix =
        mapping.conflicting.length > 0
          ? `sed -i '${mapping.conflicting.map((e) => `${e.line}d`).join(';')}' /etc/hosts${mapping.agreeing.length === 0 ? ` && echo '${expected}' >> /etc/hosts` : ''}`
          : undefined;
      return fail(expected, actual, source, problem, fix);
    },
  };
}
