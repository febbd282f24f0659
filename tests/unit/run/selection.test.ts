import { describe, expect, it } from 'vitest';
import type { LabView } from '../../../checks/check.ts';
import { isFamily, REGISTRY } from '../../../checks/registry.ts';
import { InventoryError, type CheckChoices } from '../../../inventory/load.ts';
import { planChecks } from '../../../run/judge.ts';
import { isSelected, matchesCheck, selectChecks, skipOf, type CheckSelection } from '../../../run/selection.ts';
import { UsageError } from '../../../run/settings.ts';

const SETTINGS: LabView['settings'] = {
  name: 'default',
  subnet: '10.0.0.0/24',
  ntpUpstream: '2.kr.pool.ntp.org',
  minCpus: 2,
  minRootDiskGiB: 60,
  release: { name: 'CentOS Linux', major: 7 },
  chronySyncWaitSeconds: 10,
};
const host = (name: string, role: 'controller' | 'compute', labAddress: string) => ({
  lab: 'default',
  name,
  address: labAddress,
  labAddress,
  role,
});
/** A compute image's pipeline: one compute node, no controller. */
const COMPUTE_ONLY = planChecks([{ settings: SETTINGS, hosts: [host('compute1', 'compute', '10.0.0.101')] }]);
const LAB = planChecks([
  {
    settings: SETTINGS,
    hosts: [host('controller', 'controller', '10.0.0.100'), host('compute1', 'compute', '10.0.0.101')],
  },
]);

const NONE: CheckChoices = { profile: null, only: null, skip: [] };
const flags = (over: Partial<CheckChoices>): CheckChoices => ({ ...NONE, ...over });
const at = (pattern: string, where = '--only') => ({ pattern, where });
const skipAt = (pattern: string, reason: string, where = '--skip') => ({ pattern, where, reason });

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  expect.fail('expected an error');
}

describe('matchesCheck', () => {
  it('an ID matches itself only; * any run of characters, ? one; case-insensitive', () => {
    expect(matchesCheck('chrony.source', 'chrony.source')).toBe(true);
    expect(matchesCheck('chrony.source', 'chrony.sources')).toBe(false);
    expect(matchesCheck('chrony.*', 'chrony.allow')).toBe(true);
    expect(matchesCheck('chrony.*', 'chronyx')).toBe(false);
    expect(matchesCheck('*.disabled', 'networkmanager.disabled')).toBe(true);
    expect(matchesCheck('hosts.compute?', 'hosts.compute1')).toBe(true);
    expect(matchesCheck('hosts.compute?', 'hosts.compute12')).toBe(false);
    expect(matchesCheck('Host.Address', 'host.address')).toBe(true);
    // A dot is a dot, not any character.
    expect(matchesCheck('host.address', 'hostxaddress')).toBe(false);
  });
});

describe('selectChecks', () => {
  it("the command line's profile and --only replace the inventory's; skips from both add up", () => {
    const inventory: CheckChoices = {
      profile: 'image',
      only: [at('chrony.*', 'lab.yaml:3 checks.only[0]')],
      skip: [skipAt('chrony.allow', 'not yet', 'lab.yaml:5 checks.skip[0].id')],
    };
    expect(selectChecks(NONE, inventory, LAB)).toEqual({
      profile: 'image',
      only: inventory.only,
      skip: inventory.skip,
    });
    const commandLine = flags({
      profile: 'full',
      only: [at('cpu.*')],
      skip: [skipAt('cpu.count', 'skipped with --skip cpu.count')],
    });
    expect(selectChecks(commandLine, inventory, LAB)).toEqual({
      profile: 'full',
      only: commandLine.only,
      skip: [...inventory.skip, ...commandLine.skip],
    });
    expect(selectChecks(NONE, null, LAB)).toEqual({ profile: 'full', only: null, skip: [] });
  });

  it('a pattern that matches no check of this run: a usage error for the command line, listing each', () => {
    const error = thrown(() =>
      selectChecks(
        flags({ only: [at('selinux.enforcing')], skip: [skipAt('ntp.*', 'x'), skipAt('hosts.controller', 'x')] }),
        null,
        COMPUTE_ONLY,
      ),
    );
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(
      '--only selinux.enforcing is no check labspec knows; labspec checks lists them; ' +
        '--skip ntp.* matches no check of this run; labspec checks lists them; ' +
        "--skip hosts.controller is not a check of this run's hosts",
    );
  });

  it("the inventory's: an inventory error, one line per pattern at its place in the file", () => {
    const inventory: CheckChoices = {
      profile: null,
      only: [at('cpu.count', 'lab.yaml:3 checks.only[0]'), at('cpu.speed', 'lab.yaml:4 checks.only[1]')],
      skip: [skipAt('chrony.?', 'why', 'lab.yaml:6 checks.skip[0].id')],
    };
    const error = thrown(() => selectChecks(NONE, inventory, LAB));
    expect(error).toBeInstanceOf(InventoryError);
    expect((error as InventoryError).problems).toEqual([
      'lab.yaml:4 checks.only[1]: cpu.speed is no check labspec knows; labspec checks lists them',
      'lab.yaml:6 checks.skip[0].id: chrony.? matches no check of this run; labspec checks lists them',
    ]);
  });

  it('checks that do not apply to any host of the run still count as checks of the run', () => {
    // chrony.upstream is a controller's check: on a compute-only run it is planned (and skipped by role).
    expect(() => selectChecks(flags({ skip: [skipAt('chrony.upstream', 'x')] }), null, COMPUTE_ONLY)).not.toThrow();
  });
});

describe('isSelected and skipOf', () => {
  const selection = (over: Partial<CheckSelection>): CheckSelection => ({
    profile: 'full',
    only: null,
    skip: [],
    ...over,
  });
  const plan = (id: string, plans = LAB) => plans.find((p) => p.check.id === id)!;

  it('--only leaves the other checks out; without it every check is in', () => {
    const only = selection({ only: [at('cpu.*'), at('os.release')] });
    expect(LAB.filter((p) => isSelected(only, p)).map((p) => p.check.id)).toEqual([
      'os.release',
      'cpu.virtualization',
      'cpu.count',
      'os.release',
      'cpu.virtualization',
      'cpu.count',
    ]);
    expect(LAB.every((p) => isSelected(selection({}), p))).toBe(true);
  });

  it("the image profile skips exactly the registry's image.judged: false checks, each with its reason", () => {
    const image = selection({ profile: 'image' });
    const skipped = COMPUTE_ONLY.flatMap((p) => {
      const skip = skipOf(image, p);
      return skip ? [[p.check.id, skip.message, skip.source]] : [];
    });
    const expected = REGISTRY.map((entry) => (isFamily(entry) ? entry.template : entry))
      .filter((check) => !check.image.judged)
      .map((check) => [
        check.id,
        `not judged on an image: ${(check.image as { reason: string }).reason}`,
        'profile image',
      ]);
    expect(skipped).toEqual(expected);
    expect(COMPUTE_ONLY.some((p) => skipOf(selection({}), p) !== null)).toBe(false);
  });

  it('the image profile judges host.hostname on a host whose hostname is given, and only that check', () => {
    const image = selection({ profile: 'image' });
    const named = planChecks([
      { settings: SETTINGS, hosts: [{ ...host('compute1', 'compute', '10.0.0.101'), hostname: 'compute1' }] },
    ]);
    const skippedOn = (plans: typeof LAB) => plans.filter((p) => skipOf(image, p) !== null).map((p) => p.check.id);
    expect(skippedOn(COMPUTE_ONLY)).toContain('host.hostname');
    expect(skippedOn(named)).toEqual(skippedOn(COMPUTE_ONLY).filter((id) => id !== 'host.hostname'));
    // A skip chosen by name still skips it.
    const chosen = selection({ profile: 'image', skip: [skipAt('host.hostname', 'renamed at deployment')] });
    expect(skipOf(chosen, plan('host.hostname', named))?.message).toBe('renamed at deployment');
  });

  it('a chosen skip gives its own reason and where it was chosen, before the profile’s', () => {
    const chosen = selection({
      profile: 'image',
      skip: [skipAt('host.*', 'the build VM is behind NAT', 'lab.yaml:7 checks.skip[0].id')],
    });
    expect(skipOf(chosen, plan('host.address'))).toEqual({
      message: 'the build VM is behind NAT',
      source: 'lab.yaml:7 checks.skip[0].id',
    });
    expect(skipOf(chosen, plan('topology.ntp'))?.source).toBe('profile image');
    expect(skipOf(chosen, plan('os.release'))).toBeNull();
  });
});
