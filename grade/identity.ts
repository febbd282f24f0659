import type { HostFacts } from '../facts/host-facts.ts';
import type { IdentityValues } from './grade.ts';

/**
 * What a host showed of its machine identity, as values to compare across labs: the SSH host key it presented, its
 * machine-id, the MACs of its network cards and its root filesystem UUID. A fact it could not tell adds no value
 * (so it can match nothing); it is never guessed.
 */
export function identityValues(host: { hostKey?: string | null | undefined; facts: HostFacts }): IdentityValues {
  const identity = host.facts.machineIdentity;
  const read = identity.ok ? identity.value : null;
  return {
    hostKey: host.hostKey ? [host.hostKey] : [],
    machineId: read?.machineId.state === 'read' ? [read.machineId.value] : [],
    mac: read?.macs.state === 'read' ? [...new Set(read.macs.value.map((m) => m.address))] : [],
    rootFsUuid: read?.rootFsUuid.state === 'read' ? [read.rootFsUuid.value] : [],
  };
}
