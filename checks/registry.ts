import type { Check, HostCheck, LabCheck, LabView, SectionId } from './check.ts';
import {
  chronyAllow,
  chronyInstalled,
  chronyLocalClock,
  chronyServing,
  chronyService,
  chronySource,
  chronyUpstream,
} from './chrony.ts';
import { hostsEntryCheck } from './hosts.ts';
import { selinuxConfig, selinuxRuntime } from './selinux.ts';
import { firewalldDisabled, firewalldStopped, networkManagerDisabled, networkManagerStopped } from './services.ts';
import { cpuCount, cpuVirtualization, diskRoot, hostAddress, hostHostname, osRelease } from './system.ts';
import { topologyHosts, topologyNtp } from './topology.ts';

export interface Section {
  id: SectionId;
  title: string;
  titleKo: string;
  /** Where the tutorial covers it, by its own numbering, so a student can find the step to redo. */
  tutorial: string;
}

/** The tutorial's sections in its order. */
export const SECTIONS: readonly Section[] = [
  {
    id: 'host',
    title: 'The host',
    titleKo: '호스트 준비',
    tutorial: '1. 호스트 준비, 1.2 하드웨어 정보 확인, 1.3 설치 완료',
  },
  {
    id: 'services',
    title: 'Disable firewalld and NetworkManager',
    titleKo: 'firewalld와 NetworkManager 끄기',
    tutorial: '1.2 선행 조건 (네트워크 및 방화벽 조건)',
  },
  { id: 'selinux', title: 'Disable SELinux', titleKo: 'SELinux 끄기', tutorial: '1.2 선행 조건 (SE Linux)' },
  {
    id: 'name-resolution',
    title: 'Name resolution in /etc/hosts',
    titleKo: '/etc/hosts에 호스트 이름 등록',
    tutorial: '2. NTP 서버 설정 (/etc/hosts)',
  },
  { id: 'ntp', title: 'Time with chrony', titleKo: 'chrony로 시간 동기화', tutorial: '2. NTP 서버 설정' },
  {
    id: 'topology',
    title: 'The lab as a whole',
    titleKo: '실습 환경 전체 점검',
    tutorial: '2. NTP 서버 설정 (컨트롤러는 NTP 서버, 나머지 노드는 클라이언트)',
  },
];

/** A family of checks that has one member per lab host, e.g. `hosts.controller`; `template` documents it. */
export interface HostCheckFamily {
  template: HostCheck;
  member(target: LabView['hosts'][number]): HostCheck;
}

export type RegistryEntry = Check | HostCheckFamily;

const hostsFamily: HostCheckFamily = {
  template: hostsEntryCheck({ lab: '', name: '<name>', address: '', labAddress: '<address>', role: 'compute' }),
  member: hostsEntryCheck,
};

/** Every check labspec knows, in report order. The spec files, the README table and `labspec checks` derive from it. */
export const REGISTRY: readonly RegistryEntry[] = [
  osRelease,
  hostHostname,
  hostAddress,
  cpuVirtualization,
  cpuCount,
  diskRoot,
  firewalldStopped,
  firewalldDisabled,
  networkManagerStopped,
  networkManagerDisabled,
  selinuxRuntime,
  selinuxConfig,
  hostsFamily,
  chronyInstalled,
  chronyService,
  chronyUpstream,
  chronyAllow,
  chronyServing,
  chronySource,
  chronyLocalClock,
  topologyHosts,
  topologyNtp,
];

export const isFamily = (entry: RegistryEntry): entry is HostCheckFamily => 'member' in entry;

/** The registry's checks for one lab: families expanded into one check per lab host. */
export function checksForLab(lab: Pick<LabView, 'hosts'>): { host: HostCheck[]; lab: LabCheck[] } {
  const expanded = REGISTRY.flatMap((entry) => (isFamily(entry) ? lab.hosts.map(entry.member) : [entry]));
  return {
    host: expanded.filter((c): c is HostCheck => c.scope === 'host'),
    lab: expanded.filter((c): c is LabCheck => c.scope === 'lab'),
  };
}

/** Ids as written in spec files and scenarios: a registry id, or a family's member such as `hosts.controller`. */
export function isKnownCheckId(id: string): boolean {
  return REGISTRY.some((entry) => (isFamily(entry) ? familyPattern(entry).test(id) : entry.id === id));
}

/** The registry entry a check id belongs to: the id itself, or its family's template id (`hosts.<name>`); null when unknown. */
export function registryIdOf(id: string): string | null {
  for (const entry of REGISTRY) {
    if (!isFamily(entry)) {
      if (entry.id === id) return id;
    } else if (id === entry.template.id || familyPattern(entry).test(id)) return entry.template.id;
  }
  return null;
}

function familyPattern(family: HostCheckFamily): RegExp {
  return new RegExp(`^${family.template.id.replace('.<name>', '')}\\.[a-z0-9-]+$`, 'i');
}

export function sectionOf(id: SectionId): Section {
  return SECTIONS.find((s) => s.id === id)!;
}
