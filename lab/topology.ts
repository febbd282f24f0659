// The tutorial's two-node topology and the compliant per-host configuration files.
import { NTP_UPSTREAM, SUBNET } from './util.ts';

export type Role = 'controller' | 'compute';
export type HostName = 'controller' | 'compute1';

export interface LabHost {
  readonly name: HostName;
  readonly address: string;
  readonly role: Role;
}

export const LAB_HOSTS: readonly LabHost[] = [
  { name: 'controller', address: '10.0.0.100', role: 'controller' },
  { name: 'compute1', address: '10.0.0.101', role: 'compute' },
];

export function hostsFile(): string {
  return [
    '127.0.0.1   localhost localhost.localdomain localhost4 localhost4.localdomain4',
    '::1         localhost localhost.localdomain localhost6 localhost6.localdomain6',
    '',
    ...LAB_HOSTS.map((h) => `${h.address} ${h.name}`),
    '',
  ].join('\n');
}

const CHRONY_COMMON = [
  'driftfile /var/lib/chrony/chrony.drift',
  'keyfile /etc/chrony/chrony.keys',
  'ntsdumpdir /var/lib/chrony',
  'logdir /var/log/chrony',
  'makestep 1 3',
  'leapsectz right/UTC',
];

export function chronyConf(host: LabHost): string {
  const controller = LAB_HOSTS.find((h) => h.role === 'controller');
  const lines =
    host.role === 'controller'
      ? [
          `# labspec lab: ${host.name} (NTP server for the lab)`,
          `server ${NTP_UPSTREAM} iburst`,
          'local stratum 10',
          `allow ${SUBNET}`,
        ]
      : [
          `# labspec lab: ${host.name} (NTP client of the controller)`,
          `server ${controller?.name ?? 'controller'} iburst`,
        ];
  return [...lines, '', ...CHRONY_COMMON, ''].join('\n');
}

export function inventoryYaml(opts: { identityFile: string; knownHostsFile: string }): string {
  return [
    'lab:',
    '  name: local',
    `  subnet: ${SUBNET}`,
    `  ntpUpstream: ${NTP_UPSTREAM}`,
    'defaults:',
    '  user: root',
    '  port: 22',
    `  identityFile: ${opts.identityFile}`,
    `  knownHostsFile: ${opts.knownHostsFile}`,
    'hosts:',
    ...LAB_HOSTS.flatMap((h) => [`  - name: ${h.name}`, `    address: ${h.address}`, `    role: ${h.role}`]),
    '',
  ].join('\n');
}
