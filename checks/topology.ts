import { fact, fail, pass, type LabCheck } from './check.ts';
import { chronyGrants, namesHost } from './chrony.ts';
import { parseCidr } from './cidr.ts';
import { hostsVerdictParts } from './hosts.ts';

export const topologyHosts: LabCheck = {
  id: 'topology.hosts',
  title: "Every host's /etc/hosts agrees with the inventory",
  fix: "add each lab host's '<address> <name>' line to /etc/hosts on every host and remove conflicting lines",
  evaluate({ lab, hosts }) {
    const expected = lab.hosts.map((h) => `${h.labAddress} ${h.name}`).join(', ') + ' on every host';
    const problems = hosts.flatMap((observer) =>
      lab.hosts.flatMap((target) => {
        const { problem } = hostsVerdictParts(observer, target);
        return problem ? [`${observer.spec.name}: ${problem}`] : [];
      }),
    );
    const source = hosts.map((h) => `${h.spec.name}:/etc/hosts`).join(', ');
    return problems.length === 0
      ? pass(expected, 'all agree', source)
      : fail(expected, problems.join('; '), source, `${problems.length} disagreement(s): ${problems.join('; ')}`);
  },
};

export const topologyNtp: LabCheck = {
  id: 'topology.ntp',
  title: 'Every compute node takes its time from the controller, and the controller lets it',
  fix: "on each compute: 'server controller iburst' in chrony.conf; on the controller: 'allow <lab.subnet>'; restart chronyd on both",
  evaluate({ lab, hosts }) {
    const controller = hosts.find((h) => h.spec.role === 'controller');
    const computes = hosts.filter((h) => h.spec.role === 'compute');
    const expected = 'each compute selects the controller, and the controller allows each compute';
    if (!controller)
      return computes.length === 0
        ? pass(expected, 'no hosts in this lab use NTP roles', 'inventory')
        : fail(expected, 'no controller in the inventory', 'inventory', 'compute nodes have no controller to sync from', 'add the controller to the inventory');
    const problems = computes.flatMap((compute) => {
      const found: string[] = [];
      const sources = fact(compute, 'chronySources');
      const selected = sources.daemon === 'answered' ? sources.sources.find((s) => s.state === '*') : undefined;
      if (!selected || !namesHost(selected.address, controller.spec)) {
        found.push(
          `${compute.spec.name} selects ${selected?.address ?? (sources.daemon === 'answered' ? 'no source' : 'nothing (chronyd unreachable)')}, not ${controller.spec.name}`,
        );
      }
      const { decision } = chronyGrants(controller, lab, parseCidr(compute.spec.labAddress)!);
      if (!decision.granted) found.push(`${controller.spec.name} does not allow ${compute.spec.name} (${compute.spec.labAddress})`);
      return found;
    });
    const source = `${controller.spec.name}: chrony config; ${computes.map((c) => `${c.spec.name}: chronyc -n sources`).join('; ')}`;
    return problems.length === 0
      ? pass(expected, `${computes.length} compute node(s) synced from ${controller.spec.name}`, source)
      : fail(expected, problems.join('; '), source, problems.join('; '));
  },
};
