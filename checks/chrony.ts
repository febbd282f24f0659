import type { HostIdentity } from '../inventory/load.ts';
import type { ChronyDirective } from '../probes/chrony-config.ts';
import { CannotEvaluate, commandsOf, fact, fail, pass, type HostCheck, type Lab, type ObservedHost } from './check.ts';
import { decideAccess, describeRule } from './chrony-access.ts';
import { formatNet, parseCidr, type Ipv4Net } from './cidr.ts';
import { isInstalled } from './services.ts';

const where = (d: ChronyDirective) => `${d.file}:${d.line}`;
const show = (d: ChronyDirective) => `${d.keyword} ${d.args.join(' ')}`.trim();

function configOf(host: ObservedHost) {
  const config = fact(host, 'chronyConfig');
  return { ...config, source: config.mainFile ?? '/etc/chrony.conf, /etc/chrony/chrony.conf' };
}

/** Lab host names as the lab's /etc/hosts should resolve them. */
export function labNames(lab: Lab): Map<string, string> {
  return new Map(lab.hosts.map((h) => [h.name.toLowerCase(), h.labAddress]));
}

/** Does `text` (a chrony.conf server argument or a chronyc source) name this host: its lab name or its lab address? */
export function namesHost(text: string | undefined, host: HostIdentity): boolean {
  return text !== undefined && [host.name.toLowerCase(), host.labAddress].includes(text.toLowerCase());
}

export const chronyInstalled: HostCheck = {
  id: 'chrony.installed',
  title: 'chrony is installed',
  appliesTo: 'all',
  fix: 'yum install -y chrony',
  evaluate({ host, lab }) {
    const { chrony } = fact(host, 'packages');
    const source = commandsOf('packages', host.spec, lab);
    return chrony.installed
      ? pass('chrony installed', `chrony ${chrony.version} (${chrony.manager})`, source)
      : fail('chrony installed', `not installed (${chrony.manager})`, source, 'the chrony package is not installed');
  },
};

function runningChronyd(host: ObservedHost) {
  const { units } = fact(host, 'services');
  return [units['chronyd.service'], units['chrony.service']].find((u) => u.activeState === 'active') ?? null;
}

export const chronyService: HostCheck = {
  id: 'chrony.service',
  title: 'chronyd is running and enabled',
  appliesTo: 'all',
  fix: 'systemctl enable --now chronyd',
  evaluate({ host, lab }) {
    const { units } = fact(host, 'services');
    const unit = isInstalled(units['chronyd.service']) ? units['chronyd.service'] : units['chrony.service'];
    const source = commandsOf('services', host.spec, lab);
    const expected = 'ActiveState=active UnitFileState=enabled';
    if (!isInstalled(unit)) return fail(expected, 'no chronyd.service or chrony.service unit', source, 'chronyd is not installed');
    const actual = `${unit.id}: ActiveState=${unit.activeState} UnitFileState=${unit.unitFileState || '(empty)'}`;
    if (unit.activeState !== 'active') return fail(expected, actual, source, `chronyd is ${unit.activeState}`);
    if (unit.unitFileState !== 'enabled')
      return fail(expected, actual, source, `chronyd is ${unit.unitFileState || 'not enabled'} and will not start at boot`, 'systemctl enable chronyd');
    return pass(expected, actual, source);
  },
};

export const chronyUpstream: HostCheck = {
  id: 'chrony.upstream',
  title: "The controller syncs from the lab's NTP upstream",
  appliesTo: 'controller',
  fix: 'add "server <lab.ntpUpstream> iburst" to /etc/chrony.conf, then systemctl restart chronyd',
  evaluate({ host, lab }) {
    const config = configOf(host);
    const upstream = lab.settings.ntpUpstream.toLowerCase();
    const expected = `server or pool ${lab.settings.ntpUpstream}`;
    const sources = config.directives.filter((d) => d.keyword === 'server' || d.keyword === 'pool');
    const match = sources.find((d) => d.args[0]?.toLowerCase() === upstream);
    if (match) return pass(expected, show(match), where(match));
    const actual = sources.map((d) => `${show(d)} (${where(d)})`).join('; ') || 'no server or pool line';
    return fail(
      expected,
      actual,
      config.source,
      `chrony does not use ${lab.settings.ntpUpstream}`,
      `echo 'server ${lab.settings.ntpUpstream} iburst' >> ${config.mainFile ?? '/etc/chrony.conf'} && systemctl restart chronyd`,
    );
  },
};

export function chronyGrants(host: ObservedHost, lab: Lab, target: Ipv4Net) {
  const config = configOf(host);
  return { config, decision: decideAccess(config.directives, target, labNames(lab)) };
}

export const chronyAllow: HostCheck = {
  id: 'chrony.allow',
  title: 'chrony serves NTP to the lab subnet',
  appliesTo: 'controller',
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
    if (decision.granted) return pass(expected, actual, source);
    const exception = decision.exceptions[0];
    const unresolvedDeny = decision.unresolved.find((d) => d.keyword === 'deny');
    const message = !decision.governing?.allow
      ? `${formatNet(subnet)} is not allowed`
      : exception
        ? `part of ${formatNet(subnet)} is denied by ${describeRule(exception)}`
        : `${where(unresolvedDeny!)} '${show(unresolvedDeny!)}' names a host labspec cannot resolve offline; it may deny part of the subnet`;
    return fail(expected, actual, source, message, fix);
  },
};

export const chronyServing: HostCheck = {
  id: 'chrony.serving',
  title: 'chronyd listens for NTP on UDP 123',
  appliesTo: 'controller',
  fix: 'systemctl restart chronyd (it opens UDP 123 once an allow line is present)',
  evaluate({ host, lab }) {
    const { sockets } = fact(host, 'udpListeners');
    const source = commandsOf('udpListeners', host.spec, lab);
    const expected = `chronyd on UDP 123 (wildcard or ${host.spec.labAddress})`;
    const ntp = sockets.filter((s) => s.port === 123 && ['0.0.0.0', '*', '::', '[::]', host.spec.labAddress].includes(s.localAddress));
    if (ntp.length === 0) {
      return fail(
        expected,
        sockets
          .filter((s) => s.port === 123)
          .map((s) => `${s.localAddress}:123`)
          .join(', ') || 'nothing on UDP 123',
        source,
        'nothing serves NTP to the lab',
      );
    }
    const foreign = ntp.find((s) => s.process !== null && s.process !== 'chronyd');
    const actual = ntp.map((s) => `${s.localAddress}:123 ${s.process ?? '(process not shown)'}`).join(', ');
    if (foreign)
      return fail(
        expected,
        actual,
        source,
        `UDP 123 belongs to ${foreign.process}, not chronyd`,
        `systemctl disable --now ${foreign.process}; systemctl restart chronyd`,
      );
    if (ntp.some((s) => s.process === 'chronyd')) return pass(expected, actual, source);
    // Without root, ss hides the owner: chronyd must at least be the one running.
    const chronyd = runningChronyd(host);
    const sources = `${source} ; ${commandsOf('services', host.spec, lab)}`;
    return chronyd
      ? pass(expected, `${actual}; ${chronyd.id} is active`, sources, 'the owner of UDP 123 is not shown without root; chronyd is running')
      : fail(
          expected,
          `${actual}; chronyd is not running`,
          sources,
          'something other than chronyd holds UDP 123',
          'find it with ss -ulnp (as root), stop it, then systemctl restart chronyd',
        );
  },
};

export const chronySource: HostCheck = {
  id: 'chrony.source',
  title: 'The compute node syncs from the controller',
  appliesTo: 'compute',
  fix: 'put "server controller iburst" in /etc/chrony.conf, systemctl restart chronyd, then check chronyc sources',
  evaluate({ host, lab }) {
    const controller = lab.hosts.find((h) => h.role === 'controller');
    if (!controller) throw new CannotEvaluate('the inventory has no controller in this lab to sync from');
    const config = configOf(host);
    const expected = `a server line for ${controller.name} (${controller.labAddress}), selected (^*) in chronyc sources`;
    const line = config.directives.find((d) => (d.keyword === 'server' || d.keyword === 'pool') && namesHost(d.args[0], controller));
    const fix = `echo 'server ${controller.name} iburst' >> ${config.mainFile ?? '/etc/chrony.conf'} && systemctl restart chronyd`;
    if (!line) return fail(expected, 'no server line names the controller', config.source, `chrony.conf does not name ${controller.name}`, fix);
    const sources = fact(host, 'chronySources');
    const sourcesCommand = commandsOf('chronySources', host.spec, lab);
    if (sources.daemon === 'unreachable')
      return fail(expected, sources.message, sourcesCommand, `chronyc cannot query chronyd: ${sources.message}`, 'systemctl enable --now chronyd');
    const selected = sources.sources.find((s) => s.state === '*');
    const actual = `${show(line)} (${where(line)}); selected: ${selected ? selected.address : 'none'}`;
    if (selected && namesHost(selected.address, controller)) return pass(expected, actual, `${where(line)} ; ${sourcesCommand}`);
    const controllerRow = sources.sources.find((s) => namesHost(s.address, controller));
    const why = controllerRow
      ? `the controller is listed with state '${controllerRow.state}' and reach ${controllerRow.reach.toString(8)} but not selected`
      : 'the controller is not among the sources';
    return fail(
      expected,
      actual,
      sourcesCommand,
      `${why} (waited up to ${lab.settings.chronySyncWaitSeconds}s)`,
      'check that the controller allows this host (chrony.allow) and that UDP 123 is open between them',
    );
  },
};

export const chronyLocalClock: HostCheck = {
  id: 'chrony.localclock',
  title: "No ntpd-style local clock line (server 127.127.1.0) standing in for chrony's 'local stratum 10'",
  appliesTo: 'all',
  fix: "replace 'server 127.127.1.0' with 'local stratum 10' in /etc/chrony.conf, then systemctl restart chronyd",
  evaluate({ host }) {
    const config = configOf(host);
    const expected = host.spec.role === 'controller' ? 'local stratum 10 (chrony syntax), no server 127.127.1.0' : 'no server 127.127.1.0';
    const ntpdLine = config.directives.find((d) => d.keyword === 'server' && d.args[0] === '127.127.1.0');
    const local = config.directives.find((d) => d.keyword === 'local');
    if (!ntpdLine) return pass(expected, local ? `${show(local)} (${where(local)})` : 'no local clock line', local ? where(local) : config.source);
    const explanation = `${where(ntpdLine)} '${show(ntpdLine)}' is ntpd's local-clock driver; chrony treats it as an ordinary, unreachable NTP server`;
    if (host.spec.role === 'controller' && !local) {
      return fail(expected, show(ntpdLine), where(ntpdLine), `${explanation}, so with the upstream unreachable the controller has no time to serve`);
    }
    return pass(
      expected,
      `${show(ntpdLine)} (harmless${local ? `: ${show(local)} at ${where(local)}` : ' on a compute node'})`,
      where(ntpdLine),
      `warning: ${explanation}; remove it`,
    );
  },
};
