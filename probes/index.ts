import type { z } from 'zod';
import { addressesProbe } from './addresses.ts';
import { chronyAccheckProbe } from './chrony-accheck.ts';
import { chronyConfigProbe } from './chrony-config.ts';
import { chronySourcesProbe } from './chrony-sources.ts';
import { chronyStartupProbe } from './chrony-startup.ts';
import { cpuinfoProbe } from './cpuinfo.ts';
import { diskProbe } from './disk.ts';
import { etcHostsProbe } from './etc-hosts.ts';
import { firewallStateProbe } from './firewall-state.ts';
import { hostnameProbe } from './hostname.ts';
import { machineIdentityProbe } from './machine-identity.ts';
import { packagesProbe } from './packages.ts';
import { releaseProbe } from './release.ts';
import { selinuxProbe } from './selinux.ts';
import { servicesProbe } from './services.ts';
import { udpListenersProbe } from './udp-listeners.ts';

/** The fixed, reviewed bundle of read-only probes sent to every host. */
export const PROBES = {
  release: releaseProbe,
  hostname: hostnameProbe,
  addresses: addressesProbe,
  cpuinfo: cpuinfoProbe,
  disk: diskProbe,
  services: servicesProbe,
  firewallState: firewallStateProbe,
  selinux: selinuxProbe,
  packages: packagesProbe,
  chronyConfig: chronyConfigProbe,
  chronyStartup: chronyStartupProbe,
  chronySources: chronySourcesProbe,
  chronyAccheck: chronyAccheckProbe,
  udpListeners: udpListenersProbe,
  etcHosts: etcHostsProbe,
  machineIdentity: machineIdentityProbe,
} as const;

export type ProbeName = keyof typeof PROBES;
export type FactOf<N extends ProbeName> = z.infer<(typeof PROBES)[N]['schema']>;
