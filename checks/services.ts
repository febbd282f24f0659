import type { ServiceUnit, UnitState } from '../probes/services.ts';
import { commandsOf, fact, fail, pass, type HostCheck, type HostCheckContext, type Outcome } from './check.ts';

/** States of `systemctl show` in which a unit is not running. */
const STOPPED = ['inactive', 'failed'];
/** UnitFileState values that keep a unit from starting at boot. */
const OFF_AT_BOOT = ['disabled', 'masked', 'masked-runtime'];

function describe(unit: UnitState): string {
  if (unit.loadState === 'not-found') return 'not installed';
  return `ActiveState=${unit.activeState} SubState=${unit.subState} UnitFileState=${unit.unitFileState || '(empty)'}`;
}

function unitOf(context: HostCheckContext, unit: ServiceUnit): { unit: UnitState; source: string } {
  return { unit: fact(context.host, 'services').units[unit], source: commandsOf('services', context.host.spec, context.lab) };
}

export function isInstalled(unit: UnitState): boolean {
  return unit.loadState !== 'not-found';
}

export function stoppedCheck(id: string, unitName: ServiceUnit, service: string): HostCheck {
  return {
    id,
    title: `${service} is stopped`,
    appliesTo: 'all',
    fix: `systemctl stop ${service}`,
    evaluate(context) {
      const { unit, source } = unitOf(context, unitName);
      const expected = 'not active (or not installed)';
      if (!isInstalled(unit) || STOPPED.includes(unit.activeState)) return firewallCmdAgrees(context, unitName, expected, describe(unit), source);
      return fail(expected, describe(unit), source, `${service} is ${unit.activeState}`);
    },
  };
}

export function disabledCheck(id: string, unitName: ServiceUnit, service: string): HostCheck {
  return {
    id,
    title: `${service} is disabled`,
    appliesTo: 'all',
    fix: `systemctl disable --now ${service}`,
    evaluate(context) {
      const { unit, source } = unitOf(context, unitName);
      const expected = 'disabled, masked or not installed';
      if (!isInstalled(unit) || OFF_AT_BOOT.includes(unit.unitFileState) || unit.loadState === 'masked') return pass(expected, describe(unit), source);
      return fail(expected, describe(unit), source, `${service} is ${unit.unitFileState || 'in an unknown unit-file state'} and would start at boot`);
    },
  };
}

/** firewalld can run outside its unit; its own answer must agree before "stopped" passes. */
function firewallCmdAgrees(context: HostCheckContext, unitName: ServiceUnit, expected: string, actual: string, source: string): Outcome {
  if (unitName !== 'firewalld.service') return pass(expected, actual, source);
  const { state } = fact(context.host, 'firewallState');
  const sources = `${source} ; ${commandsOf('firewallState', context.host.spec, context.lab)}`;
  if (state === 'running')
    return fail(
      expected,
      `${actual}, but firewall-cmd --state says running`,
      sources,
      'firewalld runs outside its systemd unit',
      'pkill -f firewalld; systemctl disable --now firewalld',
    );
  return pass(expected, `${actual}; firewall-cmd: ${state}`, sources);
}

export const firewalldStopped = stoppedCheck('firewalld.stopped', 'firewalld.service', 'firewalld');
export const firewalldDisabled = disabledCheck('firewalld.disabled', 'firewalld.service', 'firewalld');
export const networkManagerStopped = stoppedCheck('networkmanager.stopped', 'NetworkManager.service', 'NetworkManager');
export const networkManagerDisabled = disabledCheck('networkmanager.disabled', 'NetworkManager.service', 'NetworkManager');
