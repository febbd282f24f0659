import type { HostIdentity } from '../inventory/schema.ts';
import { fact, fail, pass, type HostCheck, type ObservedHost } from './check.ts';
import { describeEntry, mapHostsName } from './hosts-mapping.ts';
import { appendLine } from './shell.ts';

export function hostsVerdictParts(observer: ObservedHost, target: HostIdentity) {
  const {
    value: { entries },
  } = fact(observer, 'etcHosts');
  const mapping = mapHostsName(entries, target.name, target.labAddress);
  const problem =
    mapping.conflicting.length > 0
      ? `conflicting mapping ${mapping.conflicting.map(describeEntry).join('; ')}`
      : mapping.agreeing.length === 0
        ? `no line maps ${target.name}`
        : null;
  return { mapping, problem };
}

/**
 * `hosts.<name>`: this host's /etc/hosts maps the lab host `target` to its lab address. What could make the verdict
 * wrong, and how each case ends: a commented line, or the name only as part of another word, does not count (fail
 * when nothing else maps it); another IPv4 address for the same name anywhere in the file fails, even next to a
 * right line, since the resolver takes the first; a line whose first field is not an IP address is ignored, as
 * glibc ignores it (so a typo such as 10.0.0.300 leaves the name unmapped: fail); a file that cannot be read
 * (permission denied) makes the probe unparsable and the check errors; a missing file maps nothing: fail.
 * Aliases are fine.
 */
export function hostsEntryCheck(target: HostIdentity): HostCheck {
  const expected = `${target.labAddress} ${target.name}`;
  return {
    id: `hosts.${target.name}`,
    scope: 'host',
    section: 'name-resolution',
    title: `/etc/hosts maps ${target.name} to ${target.labAddress}`,
    titleKo: `/etc/hosts에 '${expected}' 항목이 있다`,
    appliesTo: 'all',
    fix: appendLine(expected, '/etc/hosts'),
    hint: `/etc/hosts does not map ${target.name} to ${target.labAddress}: the line is missing, or another line gives ${target.name} another address.`,
    hintKo: `/etc/hosts에 '${expected}' 줄이 없거나, ${target.name}의 주소를 다르게 적은 줄이 있습니다.`,
    fixKo: `vi /etc/hosts로 '${expected}' 줄을 넣고, ${target.name}에 다른 주소를 적은 줄이 있으면 지우세요.`,
    points: 1,
    image: { judged: true },
    evaluate({ host }) {
      const { mapping, problem } = hostsVerdictParts(host, target);
      const seen = [...mapping.agreeing, ...mapping.conflicting];
      const actual = seen.map(describeEntry).join('; ') || `no entry for ${target.name}`;
      const source = seen[0] ? `/etc/hosts:${(mapping.conflicting[0] ?? seen[0]).line}` : '/etc/hosts';
      if (!problem) return pass({ expected, actual, source });
      const deleteConflicts = `sed -i '${mapping.conflicting.map((e) => `${e.line}d`).join(';')}' /etc/hosts`;
      const fix =
        mapping.conflicting.length === 0
          ? undefined
          : mapping.agreeing.length === 0
            ? `${deleteConflicts} && ${appendLine(expected, '/etc/hosts')}`
            : deleteConflicts;
      return fail({ expected, actual, source, message: problem, fix });
    },
  };
}
