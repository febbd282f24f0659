import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  BUNDLE_COMMAND,
  buildBundle,
  frameClock,
  incompleteParts,
  isFilePart,
  preamble,
  splitFrames,
  type Bundle,
} from '../../../gather/bundle.ts';
import { parseFacts } from '../../../facts/host-facts.ts';
import type { ProbeName } from '../../../probes/index.ts';
import { describeSessionEnd } from '../../../gather/gather.ts';

const KEYS = [
  'release.osRelease',
  'release.centosRelease',
  'release.centosReleasePath',
  'hostname.uname',
  'hostname.hostnamectl',
  'hostname.etcHostname',
  'addresses.addr',
  'cpuinfo.cpuinfo',
  'disk.df',
  'services.show',
  'firewallState.state',
  'selinux.getenforce',
  'selinux.kernel',
  'selinux.config',
  'packages.rpm',
  'packages.dpkg',
  'chronyConfig.files',
  'chronyStartup.units',
  'chronySources.sources',
  'chronyAccheck.accheck',
  'udpListeners.sockets',
  'etcHosts.hosts',
  'machineIdentity.machineId',
  'machineIdentity.macs',
  'machineIdentity.rootFsUuid',
];

/** Runs the bundle's script as the remote side would: the bundle command, the script on stdin. */
function runLocally(bundle: Bundle, script = bundle.script): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync('/bin/sh', ['-c', bundle.command], { input: script, encoding: 'utf8', timeout: 60_000 });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

/** The bundle script with one probe command swapped for a crafted one (the framing stays the real one). */
function withCommand(bundle: Bundle, original: string, replacement: string): string {
  const block = `{ ${original}\n} </dev/null`;
  expect(bundle.script.split(block)).toHaveLength(2);
  // A function, so that `$$` in the replacement is the shell's and not a replacement pattern.
  return bundle.script.replace(block, () => `{ ${replacement}\n} </dev/null`);
}

describe('buildBundle', () => {
  it('one part per probe command, in probe order; the remote command is a POSIX sh reading stdin', () => {
    const bundle = buildBundle({ role: 'controller', chronySyncWaitSeconds: 10 });
    expect(bundle.command).toBe(BUNDLE_COMMAND);
    expect(BUNDLE_COMMAND).toBe('env LC_ALL=C /bin/sh -s');
    expect(bundle.parts.map((p) => `${p.probe}.${p.part}`)).toEqual(KEYS);
    expect(bundle.parts.find((p) => p.part === 'uname')!.command).toBe('uname -n');
    expect(bundle.parts.find((p) => p.probe === 'chronySources')!.command).toBe('chronyc -n sources');
    for (const { command } of bundle.parts) expect(bundle.script).toContain(`{ ${command}\n} </dev/null`);
  });

  it('a fresh marker each run', () => {
    const a = buildBundle({ role: 'controller', chronySyncWaitSeconds: 0 });
    const b = buildBundle({ role: 'controller', chronySyncWaitSeconds: 0 });
    expect(a.marker).toMatch(/^LABSPEC_[0-9a-f]{32}$/);
    expect(b.marker).toMatch(/^LABSPEC_[0-9a-f]{32}$/);
    expect(a.marker).not.toBe(b.marker);
  });

  it('a compute node first waits for chronyd to select its controller, up to chronySyncWaitSeconds', () => {
    const parts = (options: Parameters<typeof buildBundle>[0]) =>
      buildBundle(options)
        .parts.filter((p) => p.probe === 'chronySources')
        .map((p) => p.part);
    expect(parts({ role: 'compute', chronySyncWaitSeconds: 7, syncSource: '10.0.0.11' })).toEqual(['wait', 'sources']);
    const wait = buildBundle({ role: 'compute', chronySyncWaitSeconds: 7, syncSource: '10.0.0.11' }).parts.find(
      (p) => p.part === 'wait',
    )!.command;
    expect(wait).toContain('elif [ $i -ge 7 ]; then w=timeout;');
    expect(wait).toContain('if [ "$a" = 10.0.0.11 ];');
    expect(parts({ role: 'compute', chronySyncWaitSeconds: 0, syncSource: '10.0.0.11' })).toEqual(['sources']);
    expect(parts({ role: 'compute', chronySyncWaitSeconds: 7 })).toEqual(['sources']);
    expect(parts({ role: 'controller', chronySyncWaitSeconds: 7, syncSource: '10.0.0.11' })).toEqual(['sources']);
  });
});

describe('the per-probe output limit', () => {
  /** What prints a file: cat, grep, or the chrony-config reader's redirections from "$f". */
  const printsFiles = (command: string) => /\b(cat|grep)\b|<"\$f"/.test(command);

  it('cuts on the host exactly the parts that print files, and no other', () => {
    for (const role of ['controller', 'compute'] as const) {
      const bundle = buildBundle(
        { role, chronySyncWaitSeconds: 10, peers: ['10.0.0.2'], syncSource: '10.0.0.1' },
        1024,
      );
      for (const { probe, part, command } of bundle.parts) {
        const key = `${probe}.${part}`;
        expect(isFilePart(probe, part), `${key}: ${command}`).toBe(printsFiles(command));
        const cut = `{ { ${command}\n} </dev/null; printf '\\n%s end %s %s\\n' ${bundle.marker} ${key} $? >&2; } | head -c 1025\n`;
        const whole = `{ ${command}\n} </dev/null; printf '\\n%s end %s %s\\n' ${bundle.marker} ${key} $? >&2\n`;
        expect(bundle.script, key).toContain(isFilePart(probe, part) ? cut : whole);
      }
    }
  });
});

describe('the real script in the local shell, split back into parts', () => {
  const bundle = buildBundle({ role: 'controller', chronySyncWaitSeconds: 10 });
  const { stdout, stderr, status } = runLocally(bundle);
  const outputs = splitFrames(bundle, stdout, stderr);

  it('the script exits 0 and every part is present with an exit code', () => {
    expect(status).toBe(0);
    expect([...outputs.keys()]).toEqual(KEYS);
    for (const [key, output] of outputs) {
      expect(typeof output.exitCode, key).toBe('number');
      expect(output.stdout, key).not.toContain(bundle.marker);
      expect(output.stderr, key).not.toContain(bundle.marker);
    }
  });

  it('bodies are exactly what the commands printed', () => {
    expect(outputs.get('hostname.uname')).toEqual({ stdout: `${hostname()}\n`, stderr: '', exitCode: 0 });
    expect(outputs.get('etcHosts.hosts')).toEqual({
      stdout: readFileSync('/etc/hosts', 'utf8'),
      stderr: '',
      exitCode: 0,
    });
    const selinuxConfig = outputs.get('selinux.config')!;
    if (existsSync('/etc/selinux/config')) expect(selinuxConfig.exitCode).toBe(0);
    else
      expect(selinuxConfig).toEqual({
        stdout: '',
        stderr: 'cat: /etc/selinux/config: No such file or directory\n',
        exitCode: 1,
      });
    const processors = readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm)!.length;
    expect(outputs.get('cpuinfo.cpuinfo')!.stdout.match(/^processor\s*:/gm)).toHaveLength(processors);
  });

  it('the parts feed the real parsers: hostname and /etc/hosts facts are read', () => {
    const facts = parseFacts(outputs);
    expect(facts.hostname).toMatchObject({ ok: true, value: { hostname: hostname() } });
    expect(facts.etcHosts.ok).toBe(true);
  });
});

describe("a compute node's chrony wait in the local shell", () => {
  // This machine runs no chronyd under systemd (and has no chronyc): waiting cannot change anything.
  const bundle = buildBundle({ role: 'compute', chronySyncWaitSeconds: 10, syncSource: '10.0.0.11' });
  const { stdout, stderr, status } = runLocally(bundle);
  const outputs = splitFrames(bundle, stdout, stderr);

  it('reads chronyd once and does not wait, saying why', () => {
    expect(status).toBe(0);
    expect(outputs.get('chronySources.wait')).toMatchObject({ exitCode: 0, stderr: '' });
    expect(outputs.get('chronySources.wait')!.stdout).toMatch(/^uptime=\d+\.\d+\nwaited=0\nstop=inactive\n$/m);
    expect(parseFacts(outputs).chronySources).toMatchObject({
      ok: true,
      value: { wait: { waitedSeconds: 0, stop: 'inactive' } },
    });
  });
});

describe('hostile output through the real framing', () => {
  const bundle = buildBundle({ role: 'controller', chronySyncWaitSeconds: 0 });

  function runWith(replacement: string) {
    const { stdout, stderr } = runLocally(bundle, withCommand(bundle, 'uname -n', replacement));
    return { all: splitFrames(bundle, stdout, stderr), stdout, stderr };
  }

  it("exit codes are the command's own", () => {
    const { all } = runWith('echo partial; exit_with() { return "$1"; }; exit_with 7');
    expect(all.get('hostname.uname')).toEqual({ stdout: 'partial\n', stderr: '', exitCode: 7 });
  });

  it('a missing command exits 127 with the shell complaint on its own stderr', () => {
    const { all } = runWith('labspec-no-such-command-xyz');
    const part = all.get('hostname.uname')!;
    expect(part.exitCode).toBe(127);
    expect(part.stdout).toBe('');
    expect(part.stderr).toMatch(/labspec-no-such-command-xyz: (command )?not found\n$/);
    expect(all.get('hostname.hostnamectl')!.stderr).not.toContain('labspec-no-such-command-xyz');
  });

  it('output without a final newline keeps its last line', () => {
    const { all } = runWith("printf 'no-newline'; printf 'err-no-newline' >&2");
    expect(all.get('hostname.uname')).toEqual({ stdout: 'no-newline', stderr: 'err-no-newline', exitCode: 0 });
  });

  it('blank lines at the start and end of the output are kept', () => {
    const { all } = runWith("printf '\\n\\nx\\n\\n'");
    expect(all.get('hostname.uname')!.stdout).toBe('\n\nx\n\n');
  });

  it('a forged frame with another marker stays part of the body; the next part is unaffected', () => {
    const fake = 'LABSPEC_00000000000000000000000000000000';
    const { all } = runWith(
      `printf 'a\\n${fake} end hostname.uname 0\\n${fake} begin hostname.hostnamectl\\nforged\\n'; printf '\\n${fake} end hostname.uname\\n' >&2`,
    );
    expect(all.get('hostname.uname')).toEqual({
      stdout: `a\n${fake} end hostname.uname 0\n${fake} begin hostname.hostnamectl\nforged\n`,
      stderr: `\n${fake} end hostname.uname\n`,
      exitCode: 0,
    });
    expect(all.get('hostname.hostnamectl')!.stdout).not.toContain('forged');
    expect(typeof all.get('hostname.hostnamectl')!.exitCode).toBe('number');
  });

  it("a file part whose head dies before passing the file on did not finish, and only it: the command's 0 is not the part's", () => {
    // The command itself exits 0; head, stopped before it read anything, is then killed: none of /etc/hosts came through.
    const script = withCommand(
      bundle,
      'cat /etc/hosts',
      'pkill -STOP -x -P $$ head; cat /etc/hosts; pkill -KILL -x -P $$ head; true',
    );
    const { stdout, stderr } = runLocally(bundle, script);
    const all = splitFrames(bundle, stdout, stderr);
    expect(all.get('etcHosts.hosts')).toMatchObject({ stdout: '', exitCode: null });
    expect(incompleteParts(bundle, stdout, stderr)).toEqual([
      { key: 'etcHosts.hosts', missing: 'its whole stdout (head exited 137 on the host)' },
    ]);
    expect(all.get('machineIdentity.machineId')).toMatchObject({ exitCode: 0, stderr: '' });
    const facts = parseFacts(all);
    expect(facts.etcHosts).toMatchObject({ ok: false });
    expect(facts.machineIdentity.ok).toBe(true);
    expect(
      describeSessionEnd({
        result: { exitCode: 0, timedOut: false, overflowed: false },
        outputs: all,
        preamble: { stdout: '', stderr: '' },
        elapsedMs: 500,
        deadlineSeconds: 60,
        maxHostOutputMiB: 32,
      }),
    ).toBe(
      'the script ran to its end, but not every part finished whole on the host (etcHosts.hosts: killed, or its head -c failed)',
    );
  });

  it('a part killed on the host did not finish, and only it: the parts after it are still read', () => {
    const script = withCommand(bundle, 'cat /etc/hosts', "cat /etc/hosts; sh -c 'kill -9 $PPID'");
    const { stdout, stderr } = runLocally(bundle, script);
    const all = splitFrames(bundle, stdout, stderr);
    expect(all.get('etcHosts.hosts')).toMatchObject({ stdout: readFileSync('/etc/hosts', 'utf8'), exitCode: null });
    expect(all.get('etcHosts.hosts')!.stderr).not.toContain(bundle.marker);
    expect(incompleteParts(bundle, stdout, stderr)).toEqual([
      { key: 'etcHosts.hosts', missing: 'the end of its stderr frame' },
    ]);
    expect(all.get('machineIdentity.machineId')).toMatchObject({ exitCode: 0, stderr: '' });
    expect(parseFacts(all).machineIdentity.ok).toBe(true);
  });

  it('CR LF and control characters pass through untouched', () => {
    const { all } = runWith("printf 'a\\r\\nb\\033[31m\\000c'");
    expect(all.get('hostname.uname')!.stdout).toBe('a\r\nb\u001b[31m\u0000c');
  });
});

describe('splitFrames on crafted streams', () => {
  const bundle = buildBundle({ role: 'controller', chronySyncWaitSeconds: 0 });
  const M = bundle.marker;
  // A file part's stdout end carries head's status.
  const headStatus = (key: string) => (isFilePart(...(key.split('.') as [ProbeName, string])) ? ' 0' : '');
  const out = (key: string, body: string) => `\n${M} begin ${key}\n${body}\n${M} end ${key}${headStatus(key)}\n`;
  const err = (key: string, body: string, code: number) => `\n${M} begin ${key}\n${body}\n${M} end ${key} ${code}\n`;

  it('a truncated stream: the unfinished part has exitCode null and its partial body; later parts are empty and unfinished', () => {
    const stdout = out('release.osRelease', 'ID=centos') + `\n${M} begin release.centosRelease\nCentOS Linux rel`;
    const stderr = err('release.osRelease', '', 0) + err('release.centosRelease', '', 0);
    const all = splitFrames(bundle, stdout, stderr);
    expect(all.get('release.osRelease')).toEqual({ stdout: 'ID=centos', stderr: '', exitCode: 0 });
    expect(all.get('release.centosRelease')).toEqual({ stdout: 'CentOS Linux rel', stderr: '', exitCode: null });
    expect(all.get('etcHosts.hosts')).toEqual({ stdout: '', stderr: '', exitCode: null });
    expect(all.size).toBe(KEYS.length);
  });

  it('an end frame cut in the middle of its line is no end frame', () => {
    const stdout = `\n${M} begin hostname.uname\ncontroller\n${M} end hostname.uname`;
    const stderr = `\n${M} begin hostname.uname\n\n${M} end hostname.uname 0`;
    expect(splitFrames(bundle, stdout, stderr).get('hostname.uname')).toEqual({
      stdout: `controller\n${M} end hostname.uname`,
      stderr: `\n${M} end hostname.uname 0`,
      exitCode: null,
    });
  });

  it('a preamble (banner, motd, shell rc noise) before the first frame is ignored', () => {
    const banner =
      'Welcome to CentOS Linux 7 (Core)\n\nLast login: Mon Jan  1 00:00:00 2024 from 10.0.0.1\nno newline at the end';
    const all = splitFrames(
      bundle,
      banner + out('hostname.uname', 'controller\n'),
      'stty: standard input: Inappropriate ioctl for device\n' + err('hostname.uname', '', 0),
    );
    expect(all.get('hostname.uname')).toEqual({ stdout: 'controller\n', stderr: '', exitCode: 0 });
  });

  it('an end frame with another key does not end the part', () => {
    const stdout = `\n${M} begin hostname.uname\nx\n${M} end hostname.unameX\ny\n${M} end hostname.uname\n`;
    const stderr = `\n${M} begin hostname.uname\n\n${M} end hostname.unameX 0\n${M} end hostname.uname 3\n`;
    expect(splitFrames(bundle, stdout, stderr).get('hostname.uname')).toEqual({
      stdout: `x\n${M} end hostname.unameX\ny`,
      stderr: `\n${M} end hostname.unameX 0`,
      exitCode: 3,
    });
  });

  it('the stderr end frame carries the exit status; both end frames are needed for the part to have finished', () => {
    const all = splitFrames(
      bundle,
      out('selinux.config', ''),
      err('selinux.config', 'cat: /etc/selinux/config: No such file or directory\n', 1),
    );
    expect(all.get('selinux.config')).toEqual({
      stdout: '',
      stderr: 'cat: /etc/selinux/config: No such file or directory\n',
      exitCode: 1,
    });
    const stdoutOnly = splitFrames(bundle, out('selinux.config', ''), `\n${M} begin selinux.config\nhalf`);
    expect(stdoutOnly.get('selinux.config')!.exitCode).toBeNull();
  });
});

describe('frameClock', () => {
  it('times each part by the arrival of its end frame, even when a frame line is split across chunks', () => {
    const marker = 'LABSPEC_0123456789abcdef0123456789abcdef';
    let t = 1000;
    const clock = frameClock({ marker }, () => t);
    const stream =
      `banner\n\n${marker} begin a.x\nout\n\n${marker} end a.x 0\n\n${marker} begin b.y\n` +
      `${'z'.repeat(5000)}\n${marker} end b.y 3\n`;
    const cut1 = stream.indexOf(`${marker} end a.x`) + 10;
    const cut2 = stream.indexOf(`${marker} end b.y`) + marker.length + 3;
    t = 1010;
    clock.feed(Buffer.from(stream.slice(0, cut1), 'latin1'));
    t = 1030;
    clock.feed(Buffer.from(stream.slice(cut1, cut2), 'latin1'));
    t = 1100;
    clock.feed(Buffer.from(stream.slice(cut2), 'latin1'));
    expect(clock.firstByteAfter(1000)).toBe(10);
    expect(clock.durationOf('a.x')).toBe(20);
    expect(clock.durationOf('b.y')).toBe(70);
    expect(clock.durationOf('c.z')).toBeNull();
  });

  it('ignores end frames of another marker', () => {
    const clock = frameClock({ marker: 'LABSPEC_real' }, () => 5);
    clock.feed(Buffer.from('\nLABSPEC_fake end a.x 0\n'));
    expect(clock.durationOf('a.x')).toBeNull();
  });
});

describe('preamble', () => {
  it('is what came before the first frame of this run, or everything when no frame came', () => {
    const marker = 'LABSPEC_0123456789abcdef0123456789abcdef';
    expect(preamble({ marker }, `Welcome!\n\n${marker} begin a.x\nout\n`)).toBe('Welcome!\n');
    expect(preamble({ marker }, `LABSPEC_fake begin a.x\nno frame of ours`)).toBe(
      'LABSPEC_fake begin a.x\nno frame of ours',
    );
  });
});
