import type { HostIdentity } from '../inventory/schema.ts';
import type { ChronyDirective } from '../probes/chrony-config.ts';
import { CannotEvaluate, fact, fail, pass, type HostCheck, type LabView, type ObservedHost } from './check.ts';
import { decideAccess, describeRule } from './chrony-access.ts';
import { formatNet, parseCidr, type Ipv4Net } from './cidr.ts';
import { isInstalled } from './services.ts';

const where = (d: ChronyDirective) => `${d.file}:${d.line}`;
const show = (d: ChronyDirective) => `${d.keyword} ${d.args.join(' ')}`.trim();

function configOf(host: ObservedHost) {
  const { value: config, source } = fact(host, 'chronyConfig');
  return { ...config, source: config.mainFile ?? source };
}

/** Lab host names as the lab's /etc/hosts should resolve them. */
export function labNames(lab: LabView): Map<string, string> {
  return new Map(lab.hosts.map((h) => [h.name.toLowerCase(), h.labAddress]));
}

/** Does `text` (a chrony.conf server argument or a chronyc source) name this host: its lab name or its lab address? */
export function namesHost(text: string | undefined, host: HostIdentity): boolean {
  return text !== undefined && [host.name.toLowerCase(), host.labAddress].includes(text.toLowerCase());
}

export const chronyInstalled: HostCheck = {
  id: 'chrony.installed',
  scope: 'host',
  section: 'ntp',
  title: 'chrony is installed',
  titleKo: 'chrony 패키지가 설치되어 있다',
  appliesTo: 'all',
  fix: 'yum install -y chrony',
  points: 1,
  image: { judged: true },
  evaluate({ host }) {
    const {
      value: { chrony },
      source,
    } = fact(host, 'packages');
    const expected = 'chrony installed';
    if (chrony.installed) return pass({ expected, actual: `chrony ${chrony.version} (${chrony.manager})`, source });
    return fail({
      expected,
      actual: `not installed (${chrony.manager})`,
      source,
      message: 'the chrony package is not installed',
    });
  },
};

function runningChronyd(host: ObservedHost) {
  const {
    value: { units },
    source,
  } = fact(host, 'services');
  return { unit: [units['chronyd.service'], units['chrony.service']].find((u) => u.activeState === 'active'), source };
}

export const chronyService: HostCheck = {
  id: 'chrony.service',
  scope: 'host',
  section: 'ntp',
  title: 'chronyd is running and enabled',
  titleKo: 'chronyd가 실행 중이고 부팅할 때 시작되도록 활성화되어 있다',
  appliesTo: 'all',
  fix: 'systemctl enable --now chronyd',
  points: 1,
  image: { judged: true },
  evaluate({ host }) {
    const {
      value: { units },
      source,
    } = fact(host, 'services');
    const unit = isInstalled(units['chronyd.service']) ? units['chronyd.service'] : units['chrony.service'];
    const expected = 'ActiveState=active UnitFileState=enabled';
    if (!isInstalled(unit)) {
      return fail({
        expected,
        actual: 'no chronyd.service or chrony.service unit',
        source,
        message: 'chronyd is not installed',
      });
    }
    const actual = `${unit.id}: ActiveState=${unit.activeState} UnitFileState=${unit.unitFileState || '(empty)'}`;
    if (unit.activeState !== 'active')
      return fail({ expected, actual, source, message: `chronyd is ${unit.activeState}` });
    if (unit.unitFileState !== 'enabled') {
      const message = `chronyd is ${unit.unitFileState || 'not enabled'} and will not start at boot`;
      return fail({ expected, actual, source, message, fix: 'systemctl enable chronyd' });
    }
    return pass({ expected, actual, source });
  },
};

export const chronyUpstream: HostCheck = {
  id: 'chrony.upstream',
  scope: 'host',
  section: 'ntp',
  title: "The controller syncs from the lab's NTP upstream",
  titleKo: '컨트롤러가 지정된 외부 NTP 서버와 시간을 맞춘다',
  appliesTo: 'controller',
  points: 1,
  image: { judged: true },
  fix: 'add "server <lab.ntpUpstream> iburst" to /etc/chrony.conf, then systemctl restart chronyd',
  evaluate({ host, lab }) {
    const config = configOf(host);
    const upstream = lab.settings.ntpUpstream.toLowerCase();
    const expected = `server or pool ${lab.settings.ntpUpstream}`;
    const sources = config.directives.filter((d) => d.keyword === 'server' || d.keyword === 'pool');
    const match = sources.find((d) => d.args[0]?.toLowerCase() === upstream);
    if (match) return pass({ expected, actual: show(match), source: where(match) });
    const actual = sources.map((d) => `${show(d)} (${where(d)})`).join('; ') || 'no server or pool line';
    const file = config.mainFile ?? '/etc/chrony.conf';
    return fail({
      expected,
      actual,
      source: config.source,
      message: `chrony does not use ${lab.settings.ntpUpstream}`,
      fix: `echo 'server ${lab.settings.ntpUpstream} iburst' >> ${file} && systemctl restart chronyd`,
    });
  },
};

export function chronyGrants(host: ObservedHost, lab: LabView, target: Ipv4Net) {
  const config = configOf(host);
  return { config, decision: decideAccess(config.directives, target, labNames(lab)) };
}

export const chronyAllow: HostCheck = {
  id: 'chrony.allow',
  scope: 'host',
  section: 'ntp',
  title: 'chrony serves NTP to the lab subnet',
  titleKo: 'chrony가 실습 서브넷에 NTP 서비스를 허용한다(allow)',
  appliesTo: 'controller',
  points: 1,
  image: { judged: true },
  fix: 'add "allow <lab.subnet>" to /etc/chrony.conf, then systemctl restart chronyd',
  evaluate({ host, lab }) {
    const subnet = parseCidr(lab.settings.subnet)!;
    const { config, decision } = chronyGrants(host, lab, subnet);
    const expected = `allow rules granting ${formatNet(subnet)}`;
    const fix = `echo 'allow ${formatNet(subnet)}' >> ${config.mainFile ?? '/etc/chrony.conf'} && systemctl restart chronyd`;
    const source = decision.governing ? where(decision.governing.directive) : config.source;
    const actual = [
      decision.governing ? describeRule(decision.governing) : 'no allow rule covers it (chrony denies by default)',
      ...decision.exceptions.map(describeRule),
      ...decision.unresolved.map((d) => `${where(d)} ${show(d)} (host name not resolvable offline)`),
    ].join('; ');
    if (decision.granted) return pass({ expected, actual, source });
    const exception = decision.exceptions[0];
    const unresolvedDeny = decision.unresolved.find((d) => d.keyword === 'deny');
    const message = !decision.governing?.allow
      ? `${formatNet(subnet)} is not allowed`
      : exception
        ? `part of ${formatNet(subnet)} is denied by ${describeRule(exception)}`
        : `${where(unresolvedDeny!)} '${show(unresolvedDeny!)}' names a host labspec cannot resolve offline; it may deny part of the subnet`;
    return fail({ expected, actual, source, message, fix });
  },
};

export const chronyServing: HostCheck = {
  id: 'chrony.serving',
  scope: 'host',
  section: 'ntp',
  title: 'chronyd listens for NTP on UDP 123',
  titleKo: 'chronyd가 UDP 123 포트에서 NTP 요청을 받고 있다',
  appliesTo: 'controller',
  fix: 'systemctl restart chronyd (it opens UDP 123 once an allow line is present)',
  points: 1,
  image: { judged: true },
  evaluate({ host }) {
    const {
      value: { sockets },
      source,
    } = fact(host, 'udpListeners');
    const expected = `chronyd on UDP 123 (wildcard or ${host.spec.labAddress})`;
    const ntp = sockets.filter(
      (s) => s.port === 123 && ['0.0.0.0', '*', '::', '[::]', host.spec.labAddress].includes(s.localAddress),
    );
    if (ntp.length === 0) {
      const elsewhere = sockets.filter((s) => s.port === 123).map((s) => `${s.localAddress}:123`);
      return fail({
        expected,
        actual: elsewhere.join(', ') || 'nothing on UDP 123',
        source,
        message: 'nothing serves NTP to the lab',
      });
    }
    const foreign = ntp.find((s) => s.process !== null && s.process !== 'chronyd');
    const actual = ntp.map((s) => `${s.localAddress}:123 ${s.process ?? '(process not shown)'}`).join(', ');
    if (foreign) {
      return fail({
        expected,
        actual,
        source,
        message: `UDP 123 belongs to ${foreign.process}, not chronyd`,
        fix: `systemctl disable --now ${foreign.process}; systemctl restart chronyd`,
      });
    }
    if (ntp.some((s) => s.process === 'chronyd')) return pass({ expected, actual, source });
    // Without root, ss hides the owner: chronyd must at least be the one running.
    const chronyd = runningChronyd(host);
    const sources = `${source} ; ${chronyd.source}`;
    if (chronyd.unit) {
      return pass({
        expected,
        actual: `${actual}; ${chronyd.unit.id} is active`,
        source: sources,
        message: 'the owner of UDP 123 is not shown without root; chronyd is running',
      });
    }
    return fail({
      expected,
      actual: `${actual}; chronyd is not running`,
      source: sources,
      message: 'something other than chronyd holds UDP 123',
      fix: 'find it with ss -ulnp (as root), stop it, then systemctl restart chronyd',
    });
  },
};

export const chronySource: HostCheck = {
  id: 'chrony.source',
  scope: 'host',
  section: 'ntp',
  title: 'The compute node syncs from the controller',
  titleKo: '컴퓨트 노드가 컨트롤러와 시간을 맞춘다',
  appliesTo: 'compute',
  points: 1,
  image: { judged: false, reason: "an image is built without its lab's controller to sync from" },
  fix: 'put "server controller iburst" in /etc/chrony.conf, systemctl restart chronyd, then check chronyc sources',
  evaluate({ host, lab }) {
    const controller = lab.hosts.find((h) => h.role === 'controller');
    if (!controller) throw new CannotEvaluate('the inventory has no controller in this lab to sync from');
    const config = configOf(host);
    const expected = `a server line for ${controller.name} (${controller.labAddress}), selected (^*) in chronyc sources`;
    const line = config.directives.find(
      (d) => (d.keyword === 'server' || d.keyword === 'pool') && namesHost(d.args[0], controller),
    );
    const fix = `echo 'server ${controller.name} iburst' >> ${config.mainFile ?? '/etc/chrony.conf'} && systemctl restart chronyd`;
    if (!line) {
      return fail({
        expected,
        actual: 'no server line names the controller',
        source: config.source,
        message: `chrony.conf does not name ${controller.name}`,
        fix,
      });
    }
    const { value: sources, source: sourcesCommand } = fact(host, 'chronySources');
    if (sources.daemon === 'unreachable') {
      return fail({
        expected,
        actual: sources.message,
        source: sourcesCommand,
        message: `chronyc cannot query chronyd: ${sources.message}`,
        fix: 'systemctl enable --now chronyd',
      });
    }
    const selected = sources.sources.find((s) => s.state === '*');
    const actual = `${show(line)} (${where(line)}); selected: ${selected ? selected.address : 'none'}`;
    if (selected && namesHost(selected.address, controller)) {
      return pass({ expected, actual, source: `${where(line)} ; ${sourcesCommand}` });
    }
    const controllerRow = sources.sources.find((s) => namesHost(s.address, controller));
    const why = controllerRow
      ? `the controller is listed with state '${controllerRow.state}' and reach ${controllerRow.reach.toString(8)} but not selected`
      : 'the controller is not among the sources';
    return fail({
      expected,
      actual,
      source: sourcesCommand,
      message: `${why} (waited up to ${lab.settings.chronySyncWaitSeconds}s)`,
      fix: 'check that the controller allows this host (chrony.allow) and that UDP 123 is open between them',
    });
  },
};

export const chronyLocalClock: HostCheck = {
  id: 'chrony.localclock',
  scope: 'host',
  section: 'ntp',
  title: "No ntpd-style local clock line (server 127.127.1.0) standing in for chrony's 'local stratum 10'",
  titleKo: "chrony 설정에 ntpd식 로컬 시계 줄(server 127.127.1.0) 대신 'local stratum 10'을 쓴다",
  appliesTo: 'all',
  points: 1,
  image: { judged: true },
  fix: "replace 'server 127.127.1.0' with 'local stratum 10' in /etc/chrony.conf, then systemctl restart chronyd",
  evaluate({ host }) {
    const config = configOf(host);
    const expected =
      host.spec.role === 'controller'
        ? 'local stratum 10 (chrony syntax), no server 127.127.1.0'
        : 'no server 127.127.1.0';
    const ntpdLine = config.directives.find((d) => d.keyword === 'server' && d.args[0] === '127.127.1.0');
    const local = config.directives.find((d) => d.keyword === 'local');
    if (!ntpdLine) {
      const actual = local ? `${show(local)} (${where(local)})` : 'no local clock line';
      return pass({ expected, actual, source: local ? where(local) : config.source });
    }
    const explanation = `${where(ntpdLine)} '${show(ntpdLine)}' is ntpd's local-clock driver; chrony treats it as an ordinary, unreachable NTP server`;
    if (host.spec.role === 'controller' && !local) {
      return fail({
        expected,
        actual: show(ntpdLine),
        source: where(ntpdLine),
        message: `${explanation}, so with the upstream unreachable the controller has no time to serve`,
      });
    }
    return pass({
      expected,
      actual: `${show(ntpdLine)} (harmless${local ? `: ${show(local)} at ${where(local)}` : ' on a compute node'})`,
      source: where(ntpdLine),
      message: `warning: ${explanation}; remove it`,
    });
  },
};
