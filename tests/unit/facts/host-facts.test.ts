import { describe, expect, it } from 'vitest';
import { parseFacts } from '../../../facts/host-facts.ts';
import type { CommandOutput } from '../../../probes/probe.ts';
import { corpus } from '../probes/fixtures.ts';

const DEBIAN = JSON.parse(corpus('debian12-this-host', 'probe-outputs.json')) as Record<
  string,
  Record<string, CommandOutput>
>;
function outputs(overrides: Record<string, CommandOutput | undefined> = {}): Map<string, CommandOutput> {
  const map = new Map<string, CommandOutput>();
  for (const [probe, parts] of Object.entries(DEBIAN))
    for (const [part, output] of Object.entries(parts)) map.set(`${probe}.${part}`, output);
  for (const [key, output] of Object.entries(overrides)) {
    if (output === undefined) map.delete(key);
    else map.set(key, output);
  }
  return map;
}

describe('parseFacts on the Debian 12 capture', () => {
  const facts = parseFacts(outputs());

  it('every probe gets a result; what the host answered is read', () => {
    expect(Object.keys(facts)).toEqual([
      'release',
      'hostname',
      'addresses',
      'cpuinfo',
      'disk',
      'services',
      'firewallState',
      'selinux',
      'packages',
      'chronyConfig',
      'chronyStartup',
      'chronySources',
      'chronyAccheck',
      'udpListeners',
      'etcHosts',
      'machineIdentity',
    ]);
    expect(facts.hostname).toEqual({
      ok: true,
      value: {
        hostname: 'vm',
        staticHostname: {
          hostnamectl: {
            state: 'unread',
            reason:
              "hostnamectl status exited 1: System has not been booted with systemd as init system (PID 1). Can't operate.",
          },
          etcHostname: { state: 'set', name: 'vm' },
        },
      },
    });
    expect(facts.selinux).toEqual({ ok: true, value: { runtime: 'absent', config: null } });
    expect(facts.firewallState).toEqual({ ok: true, value: { state: 'not-installed' } });
    expect(facts.packages).toEqual({
      ok: true,
      value: { chrony: { installed: false, version: null, manager: 'dpkg' } },
    });
    expect(facts.chronyConfig).toEqual({ ok: true, value: { mainFile: null, directives: [] } });
    expect(facts.etcHosts).toEqual({
      ok: true,
      value: {
        entries: [
          { line: 1, address: '127.0.0.1', names: ['localhost'] },
          { line: 2, address: '127.0.0.1', names: ['runsc'] },
          { line: 3, address: '127.0.0.1', names: ['vm'] },
        ],
      },
    });
  });

  it('systemctl without systemd as PID 1 is a reason with the raw output, never a value', () => {
    expect(facts.services).toEqual({
      ok: false,
      reason: 'probe services: systemctl show exited 1',
      raw: "[show] exit 1\n\n[show stderr]\nSystem has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to bus: Host is down\n",
    });
  });
});

describe('parseFacts: unfinished and missing parts', () => {
  it('a part whose end frame never came (exitCode null): "did not finish", naming the part', () => {
    const facts = parseFacts(
      outputs({ 'release.centosRelease': { stdout: 'CentOS Linux rel', stderr: '', exitCode: null } }),
    );
    expect(facts.release.ok).toBe(false);
    expect(facts.release).toMatchObject({
      reason: 'probe release did not finish (centosRelease): the host deadline passed or the session broke',
    });
    expect((facts.release as { raw: string }).raw).toContain('[centosRelease] exit none\nCentOS Linux rel');
    expect(facts.hostname.ok).toBe(true);
  });

  it('no parts at all for a probe among the others (a snapshot from a labspec without it): says so, never a value', () => {
    const facts = parseFacts(outputs({ 'etcHosts.hosts': undefined }));
    expect(facts.etcHosts).toEqual({
      ok: false,
      reason:
        'probe etc-hosts is not in this snapshot, which a labspec without it made; read the host again to judge it',
      raw: '',
    });
  });

  it('no parts at all (a host never read): every probe "did not finish (all parts)"', () => {
    expect(parseFacts(new Map()).etcHosts).toEqual({
      ok: false,
      reason: 'probe etc-hosts did not finish (all parts): the host deadline passed or the session broke',
      raw: '',
    });
  });

  it('one missing part of a two-part probe: the parser says which', () => {
    const facts = parseFacts(outputs({ 'packages.dpkg': undefined }));
    expect(facts.packages).toMatchObject({ ok: false, reason: "probe packages: part 'dpkg' is missing" });
  });

  it('a corpus output the parser rejects: the reason names the probe, raw keeps the text', () => {
    const sestatus = corpus('selinux', 'sestatus__rhel7-enforcing__selinux-notes-host1.txt');
    const facts = parseFacts(outputs({ 'selinux.getenforce': { stdout: sestatus, stderr: '', exitCode: 0 } }));
    expect(facts.selinux).toMatchObject({
      ok: false,
      reason: 'probe selinux: getenforce did not answer Enforcing, Permissive or Disabled',
    });
    expect((facts.selinux as { raw: string }).raw.startsWith(`[getenforce] exit 0\n${sestatus}`)).toBe(true);
  });
});
