import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE_COMMAND, splitFrames } from '../../../gather/bundle.ts';
import {
  bundleScript,
  CaptureError,
  offlineBundle,
  parseCapture,
  posixCksum,
  snapshotFromCapture,
  verifyCapture,
  type BundleSettings,
} from '../../../gather/capture.ts';
import { hostSnapshot } from '../../../facts/snapshot.ts';
import { singleLab } from '../../../inventory/schema.ts';

const SETTINGS: BundleSettings = {
  role: 'controller',
  peers: ['10.0.0.101', '10.0.0.102'],
  chronySyncWaitSeconds: 10,
  probeOutputLimitBytes: 8 * 1024 * 1024,
};
const IDENTITY = { lab: 'default', name: 'controller', address: '10.0.0.100' };

const scratch = mkdtempSync(join(process.env.LABSPEC_TEST_SCRATCH ?? tmpdir(), 'capture-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs a bundle as a user would: `SHELL -s` with the file on stdin (as over SSH), or `SHELL FILE` (as Packer does); only stdout is kept. */
function run(bundleText: string, shell: string[]): string {
  const file = join(scratch, `bundle-${randomBytes(4).toString('hex')}.sh`);
  writeFileSync(file, bundleText);
  const viaStdin = shell.at(-1) === '-s';
  const result = spawnSync(shell[0]!, viaStdin ? shell.slice(1) : [...shell.slice(1), file], {
    input: viaStdin ? bundleText : '',
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(result.status, result.stderr).toBe(0);
  expect(result.stderr).toBe('');
  return result.stdout;
}

const bundle = bundleScript(SETTINGS);
const bundleText = offlineBundle(SETTINGS, IDENTITY, '0.1.0', bundle);
/** One real capture, made by dash from the file on stdin, as `ssh HOST sh -s < bundle.sh` does. */
const capture = run(bundleText, ['/bin/sh', '-s']);
const M = bundle.marker;

function problemOf(text: string, file = 'capture.txt'): string {
  const verified = verifyCapture(parseCapture(text, file));
  expect('problem' in verified, 'the capture should have been refused').toBe(true);
  return (verified as { problem: string }).problem;
}

/** The tutorial's lab settings and its controller, as grade places a capture without an inventory. */
const LAB = { ...singleLab.shape.lab.parse(undefined), name: 'default' };
const CONTROLLER = {
  lab: 'default',
  name: 'controller',
  address: '10.0.0.100',
  labAddress: '10.0.0.100',
  role: 'controller' as const,
};

function verified(text: string) {
  const result = verifyCapture(parseCapture(text, 'capture.txt'));
  if ('problem' in result) throw new Error(result.problem);
  return result;
}

describe('posixCksum', () => {
  it.each([
    ['empty', Buffer.alloc(0)],
    ['abc', Buffer.from('abc')],
    ['300 random bytes', randomBytes(300)],
    ['70000 random bytes (a three-byte length)', randomBytes(70_000)],
  ])('is what cksum prints: %s', (_, data) => {
    const printed = spawnSync('cksum', { input: data, encoding: 'utf8' }).stdout.trim();
    const { crc, size } = posixCksum(data);
    expect(`${crc} ${size}`).toBe(printed);
  });
});

describe('the bundle file', () => {
  it("carries the live run's script byte for byte, run with the live command, in one sh group", () => {
    expect(bundleText.startsWith('#!/bin/sh\n')).toBe(true);
    expect(bundleText).toContain(`labspec_script='${bundle.script.replaceAll("'", `'\\''`)}'\n`);
    expect(bundleText).toContain(`| ${BUNDLE_COMMAND} 2>&1 >&7 7>&- |`);
    for (const shell of ['sh', 'bash']) expect(spawnSync(shell, ['-n'], { input: bundleText }).status).toBe(0);
  });

  it('around the script it runs only printf, date, cksum, od and the live command: no write, no other program', () => {
    const scriptStart = bundleText.indexOf("labspec_script='");
    const scriptEnd = bundleText.indexOf("'\n", scriptStart + bundle.script.length);
    const wrapper = (bundleText.slice(0, scriptStart) + bundleText.slice(scriptEnd + 2))
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'));
    const date = '"$(date -u +%Y-%m-%dT%H:%M:%SZ </dev/null)"';
    expect(wrapper).toEqual([
      '{',
      `printf '%s started=%s cksum=%s\\n' '${/labspec-capture [^']*/.exec(bundleText)![0]}' ${date} "$(printf '%s' "$labspec_script" | cksum)"`,
      `labspec_stderr=$(printf '%s' "$labspec_script" | env LC_ALL=C /bin/sh -s 2>&1 >&7 7>&- | od -An -v -tx1)`,
      `printf '\\n%s stderr\\n%s\\n%s done %s\\n' ${M} "$labspec_stderr" ${M} ${date}`,
      '} 7>&1',
    ]);
  });

  it("records the marker, the settings and the script's hash in its header", () => {
    const { header } = parseCapture(capture, 'capture.txt');
    expect(header).toMatchObject({
      labspec: '0.1.0',
      marker: M,
      role: 'controller',
      peers: ['10.0.0.101', '10.0.0.102'],
      chronySyncWaitSeconds: 10,
      probeOutputLimitBytes: 8 * 1024 * 1024,
      ...IDENTITY,
    });
    expect(header.started).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(header.cksum).toEqual(posixCksum(Buffer.from(bundle.script)));
  });

  it('a fresh marker for every bundle', () => {
    expect(bundleScript(SETTINGS).marker).not.toBe(M);
  });
});

describe('a real capture, split back into the live streams', () => {
  it.each([
    ['dash, file on stdin', ['/bin/sh', '-s']],
    ['dash, file argument', ['/bin/sh']],
    ['bash, file argument', ['bash']],
    ['bash in POSIX mode, as CentOS 7 runs sh', ['bash', '--posix', '-s']],
  ])('%s: every part, with its exit code and its own stderr', (_, shell) => {
    const { stdout, stderr } = verified(shell[0] === '/bin/sh' && shell[1] === '-s' ? capture : run(bundleText, shell));
    const outputs = splitFrames(bundle, stdout, stderr);
    expect(outputs.size).toBe(bundle.parts.length);
    for (const [key, output] of outputs) expect(typeof output.exitCode, key).toBe('number');
    expect(outputs.get('etcHosts.hosts')).toEqual({
      stdout: readFileSync('/etc/hosts', 'utf8'),
      stderr: '',
      exitCode: 0,
    });
    expect(outputs.get('hostname.uname')!.stderr).toBe('');
    // No chrony config on the machine running the tests: the reader's own complaints stay on its stderr.
    expect(outputs.get('packages.rpm')!.exitCode).not.toBe(0);
  });

  it('becomes a valid snapshot that records the live command and script', () => {
    const snapshot = snapshotFromCapture(parseCapture(capture, '/tmp/capture.txt'), {
      host: CONTROLLER,
      labSettings: LAB,
      position: 0,
      runId: 'r1',
    });
    expect(hostSnapshot.parse(JSON.parse(JSON.stringify(snapshot)))).toBeTruthy();
    expect(snapshot).toMatchObject({
      connection: { ok: true },
      transport: 'capture /tmp/capture.txt',
      command: BUNDLE_COMMAND,
      script: bundle.script,
      notes: [],
    });
    expect(snapshot.outputs.map((o) => `${o.probe}.${o.part}`)).toEqual(
      bundle.parts.map((p) => `${p.probe}.${p.part}`),
    );
    expect(snapshot.facts.etcHosts.ok).toBe(true);
  });
});

describe('what may surround a capture', () => {
  it('a banner and shell noise before the header, with forged headers and frames, become the preamble', () => {
    const junk = `Welcome\r\n\x1b[31mLABSPEC_00000000000000000000000000000000 end etcHosts.hosts 0\nlabspec-capture 1 garbage\n`;
    const text = junk.replace(/labspec-capture 1 garbage\n/, '') + capture;
    const parsed = parseCapture(text, 'c');
    expect(parsed.before).toBe(junk.replace(/labspec-capture 1 garbage\n/, ''));
    expect(verified(text).stdout).toBe(verified(capture).stdout);
  });

  it("header lines and frames of other markers inside the probes' output change nothing", () => {
    const forged = `labspec-capture 1 labspec=9 marker=LABSPEC_${'0'.repeat(32)}\nLABSPEC_${'0'.repeat(32)} begin hostname.uname\n`;
    const inBody = capture.replace(`\n${M} begin hostname.uname\n`, `\n${M} begin hostname.uname\n${forged}`);
    expect(verified(inBody).stdout).toContain(forged);
  });

  it("a console's prompt after the end is ignored, and said so", () => {
    const text = `${capture}[root@image ~]# `;
    expect(verified(text).trailing).toBe('[root@image ~]# ');
  });

  it('through a terminal (serial console, ssh -t): every \\n became \\r\\n, and is turned back exactly', () => {
    const tty = capture.replaceAll('\n', '\r\n');
    const parsed = parseCapture(tty, 'c');
    expect(parsed.throughTerminal).toBe(true);
    const original = verified(capture);
    expect(verified(tty)).toMatchObject({ stdout: original.stdout, stderr: original.stderr });
  });
});

describe('a capture that cannot be used at all is a CaptureError naming the file', () => {
  const header = /^labspec-capture .*$/m.exec(capture)![0];
  it.each([
    ['empty', '', /^capture\.txt: empty: not the output of a labspec bundle/],
    [
      'garbage',
      randomBytes(4096).toString('latin1').replaceAll('labspec', 'x'),
      /^capture\.txt: no "labspec-capture" header line/,
    ],
    ['cut inside its header', capture.slice(0, 60), /^capture\.txt:1: the capture ends inside its header line$/],
    [
      'another format',
      capture.replace('labspec-capture 1 ', 'labspec-capture 2 '),
      /^capture\.txt:1: capture format "2"; this labspec reads format 1/,
    ],
    [
      'a bad marker',
      capture.replace(`marker=${M}`, 'marker=LABSPEC_xyz'),
      /^capture\.txt:1: header field marker: expected LABSPEC_ and 32 hex digits$/,
    ],
    [
      'an unknown field',
      capture.replace(' role=', ' colour=blue role='),
      /^capture\.txt:1: header field colour: a field this labspec does not know$/,
    ],
    ['a field missing', capture.replace(/ peers=\S*/, ''), /^capture\.txt:1: header field peers: /],
    [
      'no cksum (cksum missing on the host)',
      capture.replace(/cksum=.*/, 'cksum='),
      /^capture\.txt:1: header field cksum: expected what cksum prints/,
    ],
    [
      'header on line 3',
      `a\nb\n${header.replace('role=controller', 'role=storage')}\n`,
      /^capture\.txt:3: header field role: expected controller \| compute$/,
    ],
  ])('%s', (_, text, reason) => {
    expect(() => parseCapture(text, 'capture.txt')).toThrow(CaptureError);
    expect(() => parseCapture(text, 'capture.txt')).toThrow(reason);
  });
});

describe('a cut, edited or mismatched capture is refused with the reason in one line', () => {
  const stderrAt = capture.indexOf(`\n${M} stderr\n`);
  const doneAt = capture.indexOf(`\n${M} done `);

  it("truncated inside a probe's output", () => {
    const cut = capture.slice(0, capture.indexOf(`\n${M} end chronyConfig.files`) + 5);
    expect(problemOf(cut)).toMatch(
      /^capture\.txt: truncated: part chronyConfig\.files is missing the end of its stdout frame, and no stderr section follows \(the capture ends at line \d+\)$/,
    );
  });

  it('truncated after the last probe', () => {
    expect(problemOf(capture.slice(0, stderrAt + 1))).toMatch(
      /^capture\.txt: truncated: no stderr section after the probes' output/,
    );
  });

  it('truncated inside the stderr section', () => {
    expect(problemOf(capture.slice(0, doneAt - 10))).toBe(
      `capture.txt: truncated: the stderr section has no end (no "${M} done" line)`,
    );
  });

  it('a part taken out', () => {
    const start = capture.indexOf(`\n${M} begin disk.df\n`);
    const end = capture.indexOf(`\n${M} begin services.show\n`);
    expect(problemOf(capture.slice(0, start) + capture.slice(end))).toBe(
      'capture.txt: part disk.df is missing its stdout frame: the capture was cut or edited',
    );
  });

  it('a part added twice', () => {
    const start = capture.indexOf(`\n${M} begin disk.df\n`);
    const end = capture.indexOf(`\n${M} begin services.show\n`);
    const twice = capture.slice(0, end) + capture.slice(start, end) + capture.slice(end);
    expect(problemOf(twice)).toBe(
      `capture.txt: ${bundle.parts.length + 1} parts on stdout, the bundle has ${bundle.parts.length}: the capture was edited`,
    );
  });

  it('the stderr dump edited', () => {
    const edited = capture.slice(0, doneAt) + ' zz' + capture.slice(doneAt);
    expect(problemOf(edited)).toBe(
      "capture.txt: the stderr section is not od's hex dump: edited, or od is missing on the host",
    );
  });

  it('the header of one bundle on the output of another: a marker mismatch', () => {
    const other = bundleScript(SETTINGS);
    const otherCapture = capture.replaceAll(M, other.marker);
    const headerEnd = capture.indexOf('\n') + 1;
    const mixed = capture.slice(0, headerEnd) + otherCapture.slice(headerEnd);
    expect(problemOf(mixed)).toBe(
      `capture.txt: the output is framed with marker ${other.marker}, the header (line 1) says ${M}: the header and the output come from different bundles`,
    );
  });

  it('a probe command edited in the bundle before it ran', () => {
    const edited = bundleText.replace('{ uname -n\n}', '{ uname -n; echo extra\n}');
    expect(edited).not.toBe(bundleText);
    expect(problemOf(run(edited, ['/bin/sh', '-s']))).toMatch(
      /^capture\.txt: the script that ran on the host is not the bundle's \(cksum \d+ \d+, the bundle's is \d+ \d+\): the bundle was edited after labspec printed it$/,
    );
  });

  it('the settings in the header edited, or a bundle of another labspec', () => {
    const edited = capture.replace('peers=10.0.0.101,10.0.0.102', 'peers=10.0.0.101');
    expect(problemOf(edited)).toBe(
      "capture.txt: the bundle was made by labspec 0.1.0, whose probe script differs from this labspec's for the same settings; grade it with labspec 0.1.0, or make the bundle again with this one",
    );
  });

  it("a compute node's sync source edited in the header: its wait is another script", () => {
    const compute: BundleSettings = { ...SETTINGS, role: 'compute', peers: [], syncSource: '10.0.0.100' };
    const header = offlineBundle(compute, IDENTITY, '0.1.0')
      .split('\n')
      .find((l) => l.includes('sync-source='))!;
    expect(header).toContain(' sync-source=10.0.0.100 ');
    expect(bundleScript(compute).script).toContain('[ "$a" = 10.0.0.100 ]');
    const other = bundleScript({ ...compute, syncSource: '10.0.0.200' }, bundleScript(compute).marker).script;
    expect(other).not.toBe(bundleScript(compute, bundleScript(compute).marker).script);
  });

  it('as a snapshot: a host that could not be read, every fact unavailable with the reason', () => {
    const snapshot = snapshotFromCapture(parseCapture(capture.slice(0, stderrAt), 'c.txt'), {
      host: CONTROLLER,
      labSettings: LAB,
      position: 0,
      runId: 'r1',
    });
    expect(snapshot.connection).toEqual({
      ok: false,
      failure: 'capture',
      message: expect.stringMatching(/^c\.txt: truncated: /),
    });
    expect(snapshot.outputs).toEqual([]);
    expect(hostSnapshot.parse(JSON.parse(JSON.stringify(snapshot)))).toBeTruthy();
  });
});
