import type { ServiceUnit, UnitState } from '../probes/services.ts';
import { fact, fail, pass, type HostCheck, type HostCheckContext, type Outcome } from './check.ts';

/** States of `systemctl show` in which a unit is not running. */
const STOPPED = ['inactive', 'failed'];
/** UnitFileState values that keep a unit from starting at boot. */
const OFF_AT_BOOT = ['disabled', 'masked', 'masked-runtime'];

function describe(unit: UnitState): string {
  if (unit.loadState === 'not-found') return 'not installed';
  return `ActiveState=${unit.activeState} SubState=${unit.subState} UnitFileState=${unit.unitFileState || '(empty)'}`;
}

function unitOf(context: HostCheckContext, unit: ServiceUnit): { unit: UnitState; source: string } {
  const { value, source } = fact(context.host, 'services');
  return { unit: value.units[unit], source };
}

export function isInstalled(unit: UnitState): boolean {
  return unit.loadState !== 'not-found';
}

interface ServiceNames {
  id: string;
  unit: ServiceUnit;
  service: string;
}

/**
 * `<service>.stopped`: not running now. What could make the verdict wrong, and how each case ends:
 * - systemctl cannot answer (no systemd, no D-Bus) or prints another format: unparsable, the check errors;
 * - firewalld running outside its unit (started by hand): firewall-cmd --state is asked too, and `running` fails;
 *   firewall-cmd missing or not answering is the unit's word alone, which says not active;
 * - a unit not installed: nothing of it can run, a pass that says so.
 * Whether it starts again at the next boot is `<service>.disabled`'s to judge.
 */
export function stoppedCheck({ id, unit: unitName, service }: ServiceNames): HostCheck {
  return {
    id,
    scope: 'host',
    section: 'services',
    title: `${service} is stopped`,
    titleKo: `${service}가 중지되어 있다`,
    appliesTo: 'all',
    fix: `systemctl stop ${service}`,
    hint: `${service} is still running.`,
    hintKo: `${service}가 아직 실행 중입니다. 튜토리얼은 이 서비스를 멈춘 상태에서 진행합니다.`,
    fixKo: `systemctl stop ${service}로 ${service}를 멈추세요. 부팅할 때 다시 켜지지 않게 하는 것은 ${id.replace('.stopped', '.disabled')} 항목에서 따로 확인합니다.`,
    points: 1,
    image: { judged: true },
    evaluate(context) {
      const { unit, source } = unitOf(context, unitName);
      const expected = 'not active (or not installed)';
      const actual = describe(unit);
      if (!isInstalled(unit) || STOPPED.includes(unit.activeState)) {
        return firewallCmdAgrees(context, unitName, { expected, actual, source });
      }
      return fail({ expected, actual, source, message: `${service} is ${unit.activeState}` });
    },
  };
}

/**
 * `<service>.disabled`: does not start at the next boot. Only `disabled`, `masked` (and `masked-runtime`) or a unit
 * that is not installed pass; `enabled`, `enabled-runtime`, `static`, `indirect`, `generated`, an empty or any
 * unknown UnitFileState fail, since the unit may still be started at boot. systemctl not answering errors.
 */
export function disabledCheck({ id, unit: unitName, service }: ServiceNames): HostCheck {
  return {
    id,
    scope: 'host',
    section: 'services',
    title: `${service} is disabled`,
    titleKo: `${service}가 부팅할 때 시작되지 않도록 비활성화되어 있다`,
    appliesTo: 'all',
    fix: `systemctl disable --now ${service}`,
    hint: `${service} is enabled and starts again at the next boot, even if it is stopped now.`,
    hintKo: `${service}가 부팅할 때 자동으로 시작되도록 설정되어 있습니다. 지금 멈춰 있어도 재부팅하면 다시 켜집니다.`,
    fixKo: `systemctl disable --now ${service}로 ${service}를 비활성화하세요. 지금 멈추는 것과 부팅할 때 시작되지 않게 하는 것을 한 번에 합니다.`,
    points: 1,
    image: { judged: true },
    evaluate(context) {
      const { unit, source } = unitOf(context, unitName);
      const expected = 'disabled, masked or not installed';
      const actual = describe(unit);
      if (!isInstalled(unit) || OFF_AT_BOOT.includes(unit.unitFileState) || unit.loadState === 'masked') {
        return pass({ expected, actual, source });
      }
      const state = unit.unitFileState || 'in an unknown unit-file state';
      return fail({ expected, actual, source, message: `${service} is ${state} and would start at boot` });
    },
  };
}

/** firewalld can run outside its unit; its own answer must agree before "stopped" passes. */
function firewallCmdAgrees(
  context: HostCheckContext,
  unitName: ServiceUnit,
  seen: { expected: string; actual: string; source: string },
): Outcome {
  if (unitName !== 'firewalld.service') return pass(seen);
  const firewall = fact(context.host, 'firewallState');
  const source = `${seen.source} ; ${firewall.source}`;
  const { state } = firewall.value;
  if (state === 'running') {
    return fail({
      expected: seen.expected,
      actual: `${seen.actual}, but firewall-cmd --state says running`,
      source,
      message: 'firewalld runs outside its systemd unit',
      fix: 'pkill -f firewalld; systemctl disable --now firewalld',
    });
  }
  return pass({ expected: seen.expected, actual: `${seen.actual}; firewall-cmd: ${state}`, source });
}

export const firewalldStopped = stoppedCheck({
  id: 'firewalld.stopped',
  unit: 'firewalld.service',
  service: 'firewalld',
});
export const firewalldDisabled = disabledCheck({
  id: 'firewalld.disabled',
  unit: 'firewalld.service',
  service: 'firewalld',
});
export const networkManagerStopped = stoppedCheck({
  id: 'networkmanager.stopped',
  unit: 'NetworkManager.service',
  service: 'NetworkManager',
});
export const networkManagerDisabled = disabledCheck({
  id: 'networkmanager.disabled',
  unit: 'NetworkManager.service',
  service: 'NetworkManager',
});
