import { CannotEvaluate, fact, fail, pass, type LabCheck } from './check.ts';
import { chronyGrants, computeAccess, namesHost } from './chrony.ts';
import { parseCidr } from './cidr.ts';
import { hostsVerdictParts } from './hosts.ts';

const IMAGE_SKIP = { judged: false, reason: 'an image pipeline builds one host, not the whole lab' } as const;

/**
 * topology.hosts: every host's /etc/hosts maps every lab host to its lab address. Each host's file is judged as
 * hosts.<name> judges it (a conflicting line fails, a missing one fails); a host that could not be read, or whose
 * /etc/hosts could not be read, makes the whole check an error naming it, never a pass over the hosts left.
 */
export const topologyHosts: LabCheck = {
  id: 'topology.hosts',
  scope: 'lab',
  section: 'topology',
  title: "Every host's /etc/hosts agrees with the inventory",
  titleKo: '모든 호스트의 /etc/hosts가 실습 구성과 일치한다',
  fix: "add each lab host's '<address> <name>' line to /etc/hosts on every host and remove conflicting lines",
  hint: "Not every host's /etc/hosts agrees with the lab: a host lacks another's line, or maps a name to another address.",
  hintKo:
    '모든 호스트의 /etc/hosts가 실습 구성과 같지는 않습니다. 어떤 호스트에 다른 호스트의 줄이 없거나, 이름이 다른 주소로 적혀 있습니다.',
  fixKo:
    "모든 호스트의 /etc/hosts에 실습 호스트 전부의 줄(예: '10.0.0.100 controller', '10.0.0.101 compute1')을 똑같이 넣고, 같은 이름을 다른 주소로 적은 줄은 지우세요.",
  points: 3,
  image: IMAGE_SKIP,
  evaluate({ lab, hosts }) {
    const expected = lab.hosts.map((h) => `${h.labAddress} ${h.name}`).join(', ') + ' on every host';
    const problems = hosts.flatMap((observer) =>
      lab.hosts.flatMap((target) => {
        const { problem } = hostsVerdictParts(observer, target);
        return problem ? [`${observer.spec.name}: ${problem}`] : [];
      }),
    );
    const source = hosts.map((h) => `${h.spec.name}:/etc/hosts`).join(', ');
    if (problems.length === 0) return pass({ expected, actual: 'all agree', source });
    const actual = problems.join('; ');
    return fail({ expected, actual, source, message: `${problems.length} disagreement(s): ${actual}` });
  },
};

/**
 * Passes when every compute node selects the controller (^* in `chronyc -n sources`) and the
 * controller allows each compute's lab address — in chrony.conf (every file chronyd reads) and,
 * when it can be asked (`chronyc accheck`, as root), in the running chronyd too.
 *
 * What could make it wrong, and how each ends:
 * - compute nodes but no controller in the inventory → error;
 * - a compute whose lab address is not an IPv4 address → error;
 * - the controller's config not readable or expandable (a file chronyd reads, confdir on chrony
 *   < 4.0) → error naming it; a compute's chronyc output not recognised → error;
 * - the controller's chrony.conf and running chronyd disagree about a compute (edited, not
 *   restarted) → fail, saying so;
 * - chronyd could not be asked → chrony.conf decides, and the message says so; an accheck answer
 *   not understood → error.
 */
export const topologyNtp: LabCheck = {
  id: 'topology.ntp',
  scope: 'lab',
  section: 'topology',
  title: 'Every compute node takes its time from the controller, and the controller lets it',
  titleKo: '모든 컴퓨트 노드가 컨트롤러에서 시간을 받고, 컨트롤러가 이를 허용한다',
  fix: "on each compute: 'server controller iburst' in chrony.conf; on the controller: 'allow <lab.subnet>'; restart chronyd on both",
  hint: 'Not every compute node takes its time from the controller, or the controller does not let it.',
  hintKo:
    '모든 컴퓨트 노드가 컨트롤러에서 시간을 받고 있지는 않습니다. 컴퓨트 쪽 chrony가 컨트롤러를 쓰지 않거나, 컨트롤러가 그 노드의 요청을 허용하지 않습니다.',
  fixKo:
    "컴퓨트 노드마다 /etc/chrony.conf에 'server controller iburst'를 넣고, 컨트롤러의 /etc/chrony.conf에는 'allow 10.0.0.0/24'(실습 서브넷)를 넣은 뒤 양쪽 모두 systemctl restart chronyd로 다시 시작하세요.",
  points: 3,
  image: IMAGE_SKIP,
  evaluate({ lab, hosts }) {
    const controller = hosts.find((h) => h.spec.role === 'controller');
    const computes = hosts.filter((h) => h.spec.role === 'compute');
    const expected = 'each compute selects the controller, and the controller allows each compute';
    if (!controller) {
      if (computes.length === 0)
        return pass({ expected, actual: 'no hosts in this lab use NTP roles', source: 'inventory' });
      throw new CannotEvaluate('the inventory has no controller in this lab for its compute nodes to sync from');
    }
    const { config } = chronyGrants(controller, lab, parseCidr(lab.settings.subnet)!);
    const daemon = computeAccess(controller, lab, config.directives);
    const sourceParts = [`${controller.spec.name}: chrony config`];
    if (daemon.source) sourceParts.push(`${controller.spec.name}: ${daemon.source}`);
    const problems = computes.flatMap((compute) => {
      const found: string[] = [];
      const { value: sources, source } = fact(compute, 'chronySources');
      sourceParts.push(`${compute.spec.name}: ${source}`);
      const selected = sources.daemon === 'answered' ? sources.sources.find((s) => s.state === '*') : undefined;
      if (!selected || !namesHost(selected.address, controller.spec)) {
        const seen =
          selected?.address ?? (sources.daemon === 'answered' ? 'no source' : 'nothing (chronyd unreachable)');
        found.push(`${compute.spec.name} selects ${seen}, not ${controller.spec.name}`);
      }
      const view = daemon.views.find((v) => v.compute.name === compute.spec.name)!;
      const who = `${compute.spec.name} (${compute.spec.labAddress})`;
      if (view.config === null)
        throw new CannotEvaluate(
          `${who}: the lab address is not an IPv4 address, so the controller's allow rules cannot be applied to it; set its labAddress`,
        );
      if (!view.config) {
        const still = view.daemon ? ' in chrony.conf (the running chronyd still does, until its next restart)' : '';
        found.push(`${controller.spec.name} does not allow ${who}${still}`);
      } else if (view.daemon === false) {
        found.push(
          `${controller.spec.name}'s running chronyd denies ${who} although chrony.conf allows it: chronyd was not restarted since chrony.conf changed`,
        );
      }
      return found;
    });
    const source = sourceParts.join('; ');
    if (problems.length === 0) {
      return pass({
        expected,
        actual: `${computes.length} compute node(s) synced from ${controller.spec.name}`,
        source,
        message: daemon.note,
      });
    }
    const actual = problems.join('; ');
    return fail({ expected, actual, source, message: daemon.note ? `${actual}; ${daemon.note}` : actual });
  },
};
