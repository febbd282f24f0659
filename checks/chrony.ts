import type { HostIdentity } from '../inventory/schema.ts';
import type { ChronyDirective } from '../probes/chrony-config.ts';
import { CHRONYD_SETTLING_SECONDS, type ChronyWait } from '../probes/chrony-sources.ts';
import {
  CannotEvaluate,
  fact,
  FactUnavailable,
  fail,
  pass,
  type HostCheck,
  type LabView,
  type ObservedHost,
} from './check.ts';
import { decideAccess, describeRule } from './chrony-access.ts';
import { formatNet, parseCidr, type Ipv4Net } from './cidr.ts';
import { isInstalled } from './services.ts';
import { appendLine, shellCommand, shellWord } from './shell.ts';

const where = (d: ChronyDirective) => `${d.file}:${d.line}`;
const show = (d: ChronyDirective) => `${d.keyword} ${d.args.join(' ')}`.trim();

/**
 * The chrony-config fact (every file chronyd reads, in its order; unreadable → error naming the
 * file), refused as an error when the installed chrony cannot read it: confdir and sourcedir exist
 * from chrony 4.0 on, and chronyd 3.x stops at them ("Invalid directive").
 */
function configOf(host: ObservedHost) {
  const { value: config, source } = fact(host, 'chronyConfig');
  const modern = config.directives.find((d) => d.keyword === 'confdir' || d.keyword === 'sourcedir');
  if (modern) {
    const {
      value: { chrony },
      source: packagesSource,
    } = fact(host, 'packages');
    const major = Number(/^(?:\d+:)?(\d+)\./.exec(chrony.version ?? '')?.[1] ?? Number.NaN);
    if (chrony.installed && !(major >= 4)) {
      const why = Number.isNaN(major)
        ? `labspec cannot tell from chrony version ${chrony.version} whether it reads it (chrony 4.0 or later)`
        : `it needs chrony 4.0 or later; chrony ${chrony.version} stops at it ("Invalid directive") and chronyd does not start`;
      throw new FactUnavailable(
        'chronyConfig',
        `${where(modern)} '${show(modern)}': ${why}`,
        `${where(modern)} ; ${packagesSource}`,
        '',
      );
    }
  }
  configReadByChronyd(host, config.mainFile);
  return { ...config, source: config.mainFile ?? source };
}

/**
 * Errors unless chronyd, as it runs now and as systemd would start it after a reboot, reads the main file labspec
 * read: `-f OTHER` or directives on its command line make chronyd ignore it.
 */
function configReadByChronyd(host: ObservedHost, mainFile: string | null): void {
  // Without the chrony package there is no chronyd to read another file: the config decides (and chrony.installed fails).
  const packages = host.facts.packages;
  if (packages.ok && !packages.value.chrony.installed) return;
  const { value: startup, source } = fact(host, 'chronyStartup');
  for (const line of startup.commandLines) {
    const command = line.argv.join(' ');
    if (line.directives.length > 0)
      throw new FactUnavailable(
        'chronyStartup',
        `${line.origin} is given its configuration on its command line ('${command}'), so it reads no chrony.conf; labspec judges chrony.conf only`,
        source,
        '',
      );
    if (line.configFile !== null && line.configFile !== mainFile)
      throw new FactUnavailable(
        'chronyStartup',
        `${line.origin} reads ${line.configFile} (-f in '${command}')${mainFile === null ? '' : `, not ${mainFile}`}; labspec did not read ${line.configFile}`,
        source,
        '',
      );
  }
}

/** chrony 4.x server/pool/peer options (cmdparse.c CPS_ParseNTPSourceAdd): flags, and those taking a value. */
const SOURCE_FLAGS = new Set([
  'auto_offline',
  'burst',
  'copy',
  'iburst',
  'offline',
  'noselect',
  'prefer',
  'require',
  'trust',
  'xleave',
  'nts',
]);
const SOURCE_VALUES = new Set([
  'certset',
  'key',
  'asymmetry',
  'extfield',
  'filter',
  'maxdelay',
  'maxdelayratio',
  'maxdelaydevratio',
  'maxdelayquant',
  'maxpoll',
  'maxsamples',
  'maxsources',
  'mindelay',
  'minpoll',
  'minsamples',
  'minstratum',
  'ntsport',
  'offset',
  'port',
  'polltarget',
  'presend',
  'version',
]);

/**
 * What a server/pool line's options mean for using it: an option labspec does not know (or one
 * missing its value) is thrown as an error — chronyd refuses such a line in chrony.conf and
 * silently drops it from a .sources file —, `noselect` and `offline` are returned as reasons it is
 * not used.
 */
function sourceOptions(d: ChronyDirective): string | null {
  for (let i = 1; i < d.args.length; i++) {
    const option = d.args[i]!.toLowerCase();
    if (SOURCE_FLAGS.has(option)) continue;
    if (SOURCE_VALUES.has(option) && i + 1 < d.args.length) {
      i++;
      continue;
    }
    throw new FactUnavailable(
      'chronyConfig',
      `${where(d)} '${show(d)}': ${SOURCE_VALUES.has(option) ? `option ${option} without its value` : `option ${option} is not one labspec knows`}, so it cannot tell whether chronyd accepts this line`,
      where(d),
      '',
    );
  }
  const unused = d.args.slice(1).find((a) => ['noselect', 'offline'].includes(a.toLowerCase()));
  if (unused === undefined) return null;
  return unused.toLowerCase() === 'noselect'
    ? `${where(d)} '${show(d)}' has noselect: chronyd never selects it`
    : `${where(d)} '${show(d)}' has offline: chronyd does not poll it until told 'chronyc online'`;
}

/** Lab host names as the lab's /etc/hosts should resolve them. */
export function labNames(lab: LabView): Map<string, string> {
  return new Map(lab.hosts.map((h) => [h.name.toLowerCase(), h.labAddress]));
}

/** Does `text` (a chrony.conf server argument or a chronyc source) name this host: its lab name or its lab address? */
export function namesHost(text: string | undefined, host: HostIdentity): boolean {
  return text !== undefined && [host.name.toLowerCase(), host.labAddress].includes(text.toLowerCase());
}

/**
 * Passes when rpm or dpkg reports the chrony package installed.
 *
 * What could make it wrong, and how each ends: rpm/dpkg output labspec does not recognise, or
 * several installed versions → error with the raw text; chrony installed outside the package
 * manager → fail (labspec only trusts the package database).
 */
export const chronyInstalled: HostCheck = {
  id: 'chrony.installed',
  scope: 'host',
  section: 'ntp',
  title: 'chrony is installed',
  titleKo: 'chrony 패키지가 설치되어 있다',
  appliesTo: 'all',
  fix: 'yum install -y chrony',
  hint: 'The chrony package is not installed.',
  hintKo: 'chrony 패키지가 설치되어 있지 않습니다.',
  fixKo: 'yum install -y chrony로 chrony를 설치하세요.',
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

/**
 * Passes when chronyd.service (or Debian's chrony.service) is active and enabled.
 *
 * What could make it wrong, and how each ends: `systemctl show` unreadable (no systemd as PID 1,
 * output not recognised) → error; chronyd started under another unit name → fail.
 */
export const chronyService: HostCheck = {
  id: 'chrony.service',
  scope: 'host',
  section: 'ntp',
  title: 'chronyd is running and enabled',
  titleKo: 'chronyd가 실행 중이고 부팅할 때 시작되도록 활성화되어 있다',
  appliesTo: 'all',
  fix: 'systemctl enable --now chronyd',
  hint: 'chronyd is not running, or it does not start at boot.',
  hintKo: 'chronyd가 실행 중이 아니거나, 부팅할 때 자동으로 시작되도록 설정되어 있지 않습니다.',
  fixKo: 'systemctl enable --now chronyd로 chronyd를 지금 시작하고, 부팅할 때도 시작되게 하세요.',
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

/**
 * Passes on a server/pool line for `lab.ntpUpstream` that chronyd would use, in any file chronyd
 * reads (main file, include/confdir files, sourcedir .sources files).
 *
 * What could make it wrong, and how each ends:
 * - a file chronyd reads that labspec could not read or expand (permission denied, vanished, an
 *   include's missing directory, nesting beyond 10 levels, an over-long line, …) → error naming it;
 * - confdir/sourcedir on a chrony older than 4.0 (chronyd stops there), or a version labspec cannot
 *   read → error;
 * - an option on the upstream line that labspec does not know, or one missing its value → error;
 * - the line has `noselect` or `offline` (chronyd does not use it) → fail;
 * - the name written differently (an alias, an address) → fail, never a guess that it is the same.
 */
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
  hint: "The controller's chrony does not take its time from the lab's NTP upstream, or an option keeps it from using it.",
  hintKo:
    '컨트롤러의 chrony 설정에 실습에서 정한 외부 NTP 서버(기본값 2.kr.pool.ntp.org)가 없거나, noselect나 offline 옵션 때문에 그 서버를 쓰지 않습니다.',
  fixKo:
    "/etc/chrony.conf에 'server 2.kr.pool.ntp.org iburst' 줄(실습에서 다른 서버를 정했다면 그 서버)을 넣고 systemctl restart chronyd로 chronyd를 다시 시작하세요.",
  evaluate({ host, lab }) {
    const config = configOf(host);
    const upstream = lab.settings.ntpUpstream.toLowerCase();
    const expected = `server or pool ${lab.settings.ntpUpstream}`;
    const sources = config.directives.filter((d) => d.keyword === 'server' || d.keyword === 'pool');
    const matches = sources.filter((d) => d.args[0]?.toLowerCase() === upstream);
    const unused = matches.map((d) => sourceOptions(d));
    const match = matches.find((_, i) => unused[i] === null);
    if (match) return pass({ expected, actual: show(match), source: where(match) });
    const actual = sources.map((d) => `${show(d)} (${where(d)})`).join('; ') || 'no server or pool line';
    const file = config.mainFile ?? '/etc/chrony.conf';
    return fail({
      expected,
      actual,
      source: matches[0] ? where(matches[0]) : config.source,
      message: matches[0] ? unused.join('; ') : `chrony does not use ${lab.settings.ntpUpstream}`,
      fix: matches[0]
        ? `remove noselect/offline from ${where(matches[0])}, then systemctl restart chronyd`
        : `${appendLine(`server ${lab.settings.ntpUpstream} iburst`, file)} && systemctl restart chronyd`,
    });
  },
};

export function chronyGrants(host: ObservedHost, lab: LabView, target: Ipv4Net) {
  const config = configOf(host);
  return { config, decision: decideAccess(config.directives, target, labNames(lab)) };
}

/** One compute node as the controller's chrony sees it: after the next start (chrony.conf) and now (chronyd). */
export interface ComputeAccess {
  compute: HostIdentity;
  /** chrony.conf's rules for its lab address; null when that is not an IPv4 address. */
  config: boolean | null;
  /** What the running chronyd answered to `chronyc accheck`; null when it could not be asked. */
  daemon: boolean | null;
  /** Why the daemon was not asked or could not answer, when daemon is null. */
  notAsked: string;
}

/**
 * For each compute node of the lab: the controller's chrony.conf rules and the running chronyd's
 * answer for its lab address (neither for a lab address that is not IPv4). An accheck answer
 * labspec does not understand is an error (FactUnavailable).
 */
export function computeAccess(controller: ObservedHost, lab: LabView, directives: ChronyDirective[]) {
  const { value: accheck, source } = fact(controller, 'chronyAccheck');
  const names = labNames(lab);
  const views = lab.hosts
    .filter((h) => h.role === 'compute')
    .map((compute): ComputeAccess => {
      const net = parseCidr(compute.labAddress);
      if (net === null || compute.labAddress.includes('/'))
        return {
          compute,
          config: null,
          daemon: null,
          notAsked: `${compute.name}'s lab address ${compute.labAddress} is not an IPv4 address`,
        };
      const config = decideAccess(directives, net, names).granted;
      const answer = accheck.answers.find((a) => a.address === compute.labAddress);
      if (answer === undefined)
        return { compute, config, daemon: null, notAsked: `chronyd was not asked about ${compute.name}` };
      if (answer.answer === 'unavailable') return { compute, config, daemon: null, notAsked: answer.message };
      return { compute, config, daemon: answer.answer === 'allowed', notAsked: '' };
    });
  const asked = views.some((v) => v.daemon !== null);
  const notAsked = [...new Set(views.filter((v) => v.daemon === null).map((v) => v.notAsked))];
  return {
    views,
    /** The accheck command, when chronyd answered for at least one compute. */
    source: asked ? source : null,
    /** For the verdict's message when some compute's answer is missing: the config decided alone. */
    note:
      notAsked.length === 0
        ? ''
        : `the running chronyd could not be asked (${notAsked.join('; ')}): chrony.conf decided alone`,
  };
}

const nameOf = (v: ComputeAccess) => `${v.compute.name} (${v.compute.labAddress})`;
const daemonSays = (v: ComputeAccess) => `running chronyd ${v.daemon ? 'allows' : 'denies'} ${nameOf(v)}`;

/**
 * Passes when chrony's allow/deny rules grant all of `lab.subnet` (chrony's semantics: short forms,
 * `allow all`, most specific rule wins, default deny), read from every file chronyd reads, in its
 * order — and, when the running chronyd can be asked (`chronyc accheck`, as root), when it allows
 * every compute node's lab address now too.
 *
 * What could make it wrong, and how each ends:
 * - a file chronyd reads that labspec could not read or expand (an include, a confdir file, the main
 *   file: permission denied, vanished, missing directory, nesting, over-long line) → error naming it;
 * - confdir on a chrony older than 4.0 → error;
 * - a deny naming a host labspec cannot resolve offline → fail (it may deny part of the subnet);
 * - chrony.conf edited but chronyd not restarted (or rules changed with chronyc): chronyd and
 *   chrony.conf disagree for a compute → fail, saying so;
 * - chronyd could not be asked (not root, not running, chronyc missing) → the config decides, and
 *   the message says the daemon was not asked;
 * - an accheck answer labspec does not understand → error;
 * - a compute whose lab address is not IPv4: chronyd is not asked about it, and the message says so.
 */
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
  hint: "The controller's chrony does not let the lab subnet ask it for time, or the running chronyd still has older rules than its config (it was not restarted).",
  hintKo:
    '컨트롤러의 chrony가 실습 서브넷의 시간 요청을 허용하지 않습니다. 설정 파일을 고쳐 놓고 chronyd를 다시 시작하지 않았을 때도 이렇게 나옵니다.',
  fixKo:
    "/etc/chrony.conf에 'allow 10.0.0.0/24'(실습 서브넷)를 넣고, 그 서브넷을 막는 deny 줄이 있으면 지운 다음 systemctl restart chronyd로 chronyd를 다시 시작하세요.",
  evaluate({ host, lab }) {
    const subnet = parseCidr(lab.settings.subnet)!;
    const { config, decision } = chronyGrants(host, lab, subnet);
    const daemon = computeAccess(host, lab, config.directives);
    const expected = `allow rules granting ${formatNet(subnet)}`;
    const fix = `${appendLine(`allow ${formatNet(subnet)}`, config.mainFile ?? '/etc/chrony.conf')} && systemctl restart chronyd`;
    const configSource = decision.governing ? where(decision.governing.directive) : config.source;
    const source = daemon.source ? `${configSource} ; ${daemon.source}` : configSource;
    const actual = [
      decision.governing ? describeRule(decision.governing) : 'no allow rule covers it (chrony denies by default)',
      ...decision.exceptions.map(describeRule),
      ...decision.unresolved.map((d) => `${where(d)} ${show(d)} (host name not resolvable offline)`),
      ...daemon.views.filter((v) => v.daemon !== null).map(daemonSays),
    ].join('; ');
    const note = daemon.note ? `; ${daemon.note}` : '';
    const disagree = daemon.views.filter((v) => v.daemon !== null && v.config !== null && v.daemon !== v.config);
    if (decision.granted && disagree.length === 0) return pass({ expected, actual, source, message: daemon.note });
    if (decision.granted) {
      return fail({
        expected,
        actual,
        source,
        message: `chrony.conf allows ${formatNet(subnet)}, but the ${disagree.map(daemonSays).join(', ')}: chronyd was not restarted since chrony.conf changed (or its rules were changed with chronyc)${note}`,
        fix: 'systemctl restart chronyd',
      });
    }
    const exception = decision.exceptions[0];
    const unresolvedDeny = decision.unresolved.find((d) => d.keyword === 'deny');
    const problem = !decision.governing?.allow
      ? `${formatNet(subnet)} is not allowed`
      : exception
        ? `part of ${formatNet(subnet)} is denied by ${describeRule(exception)}`
        : `${where(unresolvedDeny!)} '${show(unresolvedDeny!)}' names a host labspec cannot resolve offline; it may deny part of the subnet`;
    const stale = disagree.length
      ? `; the ${disagree.map(daemonSays).join(', ')} until its next restart (chrony.conf changed since it started)`
      : '';
    const exceptionFix =
      exception && decision.governing?.allow
        ? `sed -i '${exception.directive.line}s/^/#/' ${shellWord(exception.directive.file)} && systemctl restart chronyd`
        : fix;
    return fail({ expected, actual, source, message: `${problem}${stale}${note}`, fix: exceptionFix });
  },
};

/**
 * Passes when chronyd holds UDP 123 on the wildcard or the lab address.
 *
 * What could make it wrong, and how each ends: ss/netstat output not recognised → error; another
 * program on UDP 123 → fail naming it; the owner hidden (labspec not root) → error, since chronyd
 * running says nothing about who holds the port (ntpd would keep it and chronyd run without it).
 */
export const chronyServing: HostCheck = {
  id: 'chrony.serving',
  scope: 'host',
  section: 'ntp',
  title: 'chronyd listens for NTP on UDP 123',
  titleKo: 'chronyd가 UDP 123 포트에서 NTP 요청을 받고 있다',
  appliesTo: 'controller',
  fix: 'systemctl restart chronyd (it opens UDP 123 once an allow line is present)',
  hint: 'Nothing serves NTP on UDP port 123 of the controller, or another program holds the port.',
  hintKo:
    '컨트롤러의 UDP 123 포트에서 chronyd가 NTP 요청을 받고 있지 않습니다. 아무것도 없거나 다른 프로그램이 그 포트를 쓰고 있습니다.',
  fixKo:
    'chronyd는 allow 줄이 있어야 UDP 123 포트를 엽니다. allow 줄을 넣었다면 systemctl restart chronyd로 다시 시작하세요. ntpd 같은 다른 프로그램이 포트를 쓰고 있다면 그 서비스를 멈추고 비활성화한 뒤 chronyd를 다시 시작하세요.',
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
    const foreign = ntp.find((s): s is typeof s & { process: string } => s.process !== null && s.process !== 'chronyd');
    const actual = ntp.map((s) => `${s.localAddress}:123 ${s.process ?? '(process not shown)'}`).join(', ');
    if (foreign) {
      return fail({
        expected,
        actual,
        source,
        message: `UDP 123 belongs to ${foreign.process}, not chronyd`,
        fix: `${shellCommand('systemctl', 'disable', '--now', foreign.process)}; systemctl restart chronyd`,
      });
    }
    if (ntp.some((s) => s.process === 'chronyd')) return pass({ expected, actual, source });
    // Without root, ss hides the owner: chronyd running does not say it holds the port.
    const chronyd = runningChronyd(host);
    const sources = `${source} ; ${chronyd.source}`;
    if (chronyd.unit) {
      throw new FactUnavailable(
        'udpListeners',
        `the owner of UDP 123 is not shown without root (${chronyd.unit.id} is active, but another program could hold the port); run labspec as root`,
        sources,
        actual,
      );
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

/**
 * Passes when the compute node's chrony config (every file chronyd reads) has a server/pool line
 * naming the controller and `chronyc -n sources` shows the controller selected (^*).
 *
 * What could make it wrong, and how each ends:
 * - no controller in the inventory → error;
 * - a file chronyd reads that labspec could not read or expand, confdir/sourcedir on chrony < 4.0 →
 *   error naming it;
 * - an option on the controller's line labspec does not know → error (chronyd may refuse it);
 * - chronyc output not recognised → error with the raw text; chronyd not answering → fail;
 * - the controller named by another name or selected under an address that is not its lab
 *   address → fail, never a guess.
 * The message says how long the host waited for chronyd to select a source, and why no longer.
 */
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
  hint: 'The compute node does not take its time from the controller: its chrony config does not name the controller, or chrony has not selected it.',
  hintKo:
    '컴퓨트 노드가 컨트롤러에서 시간을 받지 않습니다. chrony 설정에 컨트롤러가 없거나, 있어도 chrony가 컨트롤러를 시간 소스로 고르지 않았습니다.',
  fixKo:
    "컴퓨트 노드의 /etc/chrony.conf에서 외부 server 줄은 주석 처리하고 'server controller iburst'를 넣은 뒤 systemctl restart chronyd로 다시 시작하세요. chronyc sources에서 controller 앞에 ^*가 보이면 됩니다. 계속 고르지 않으면 컨트롤러의 allow 설정과 UDP 123 포트가 열려 있는지 확인하세요.",
  evaluate({ host, lab }) {
    const controller = lab.hosts.find((h) => h.role === 'controller');
    if (!controller) throw new CannotEvaluate('the inventory has no controller in this lab to sync from');
    const config = configOf(host);
    const expected = `a server line for ${controller.name} (${controller.labAddress}), selected (^*) in chronyc sources`;
    const line = config.directives.find(
      (d) => (d.keyword === 'server' || d.keyword === 'pool') && namesHost(d.args[0], controller),
    );
    // An option chronyd would refuse is an error; noselect/offline show in chronyc sources below.
    if (line) sourceOptions(line);
    const fix = `${appendLine(`server ${controller.name} iburst`, config.mainFile ?? '/etc/chrony.conf')} && systemctl restart chronyd`;
    if (!line) {
      const recorded = host.facts.chronySources.ok ? host.facts.chronySources.value.wait : undefined;
      const waited = recorded ? ` (${describeWait(recorded, lab.settings.chronySyncWaitSeconds)})` : '';
      return fail({
        expected,
        actual: 'no server line names the controller',
        source: config.source,
        message: `chrony.conf does not name ${controller.name}${waited}`,
        fix,
      });
    }
    const { value: sources, source: sourcesCommand } = fact(host, 'chronySources');
    const waited = describeWait(sources.wait, lab.settings.chronySyncWaitSeconds);
    if (sources.daemon === 'unreachable') {
      return fail({
        expected,
        actual: sources.message,
        source: sourcesCommand,
        message: `chronyc cannot query chronyd: ${sources.message} (${waited})`,
        fix: 'systemctl enable --now chronyd',
      });
    }
    const selected = sources.sources.find((s) => s.state === '*');
    const actual = `${show(line)} (${where(line)}); selected: ${selected ? selected.address : 'none'}`;
    if (selected && namesHost(selected.address, controller)) {
      return pass({
        expected,
        actual,
        source: `${where(line)} ; ${sourcesCommand}`,
        message: sources.wait ? waited : '',
      });
    }
    const controllerRow = sources.sources.find((s) => namesHost(s.address, controller));
    const why = controllerRow
      ? `the controller is listed with state '${controllerRow.state}' and reach ${describeReach(controllerRow.reach)} but not selected`
      : 'the controller is not among the sources';
    return fail({
      expected,
      actual,
      source: sourcesCommand,
      message: `${why} (${waited})`,
      fix: 'check that the controller allows this host (chrony.allow) and that UDP 123 is open between them',
    });
  },
};

/** How long the compute node waited for chronyd to select a source, and why no longer (or why not at all). */
export function describeWait(wait: ChronyWait | undefined, waitSeconds: number): string {
  if (waitSeconds === 0) return 'not waited: chronySyncWaitSeconds is 0';
  // A snapshot from before the wait said why it ended.
  if (!wait) return `waited up to ${waitSeconds}s`;
  const n = wait.waitedSeconds;
  const stopped = (why: string) => (n === 0 ? `not waited: ${why}` : `waited ${n}s, then stopped: ${why}`);
  const age = wait.activeSeconds === null ? '?' : String(wait.activeSeconds);
  switch (wait.stop) {
    case 'selected':
      return n === 0 ? 'a source was selected at once' : `waited ${n}s until a source was selected`;
    case 'inactive':
      return stopped(
        wait.activeState === null
          ? 'systemctl said nothing of chronyd.service'
          : `chronyd.service is ${wait.activeState}`,
      );
    case 'unanswered':
      return stopped('chronyc got no sources from chronyd');
    case 'unlisted':
      return stopped("the controller is not among chronyd's sources");
    case 'unknown-start':
      return stopped('systemd does not say when chronyd started');
    case 'settled':
      return stopped(
        `chronyd has run ${age}s without selecting a source (waiting helps in its first ${CHRONYD_SETTLING_SECONDS}s)`,
      );
    case 'no-reply':
      return stopped(`in its ${age}s of running, chronyd has had no answer from the controller (reach 0)`);
    case 'timeout':
      return `waited ${n}s (chronySyncWaitSeconds) for chronyd, running ${age}s, to select a source`;
  }
}

/**
 * chronyc prints Reach as the octal value of an 8-bit register, one bit per recent poll: "377" is
 * all eight answered. The fact keeps the digits as printed, so they are shown as they are.
 */
export function describeReach(reach: number): string {
  const register = Number.parseInt(String(reach), 8);
  let answered = 0;
  for (let bits = register; bits > 0; bits >>= 1) answered += bits & 1;
  return `${reach} (octal: ${answered} of the last 8 polls answered)`;
}

/**
 * Fails a controller that has ntpd's `server 127.127.1.0` and no `local` directive; passes with a
 * warning when the ntpd line is harmless.
 *
 * What could make it wrong, and how each ends: a file chronyd reads that labspec could not read or
 * expand (the line may hide there), confdir/sourcedir on chrony < 4.0 → error naming it.
 */
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
  hint: "chrony's config has ntpd's local clock line (server 127.127.1.0), which chrony does not take as a local clock.",
  hintKo:
    'chrony 설정에 ntpd에서 쓰던 로컬 시계 줄(server 127.127.1.0)이 있습니다. chrony는 이 줄을 로컬 시계로 알아듣지 못해서, 외부 서버에 닿지 않으면 컨트롤러가 나눠 줄 시간이 없습니다.',
  fixKo:
    "/etc/chrony.conf에서 'server 127.127.1.0' 줄을 지우고 'local stratum 10'을 넣은 뒤 systemctl restart chronyd로 다시 시작하세요. 튜토리얼에 나온 127.127.1.0은 ntpd 방식이라 chrony에서는 동작하지 않습니다.",
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
