import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostRecord } from '../../../helpers/run-data.ts';
import { buildJunit } from '../../../outputs/junit.ts';
import type { ResultEntry } from '../../../outputs/result-entry.ts';
import { xmlSafe } from '../../../outputs/xml-text.ts';

const XSD = join(import.meta.dirname, '../../fixtures/junit/jenkins-junit.xsd');
const dir = mkdtempSync(join(tmpdir(), 'labspec-junit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

function write(xml: string): string {
  const file = join(dir, `junit-${counter++}.xml`);
  writeFileSync(file, xml);
  return file;
}

/** xmllint's schema validation against the Jenkins JUnit XSD. */
function validate(xml: string): { status: number | null; stderr: string; file: string } {
  const file = write(xml);
  const result = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr, file };
}

/** An XPath string value, read by xmllint from the report. */
function xpath(xml: string, expression: string): string {
  const result = spawnSync('xmllint', ['--xpath', expression, write(xml)], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.stdout.endsWith('\n')).toBe(true);
  return result.stdout.slice(0, -1); // xmllint ends every result with a newline
}

function host(name: string, role: string, address: string, lab = 'default'): HostRecord {
  return {
    lab,
    host: name,
    address,
    labAddress: address,
    role,
    transport: 'ssh',
    startedAt: '2024-01-01T00:00:00.000Z',
    durationMs: 1500,
    connection: { ok: true },
    notes: [],
    commands: ['env LC_ALL=C /bin/sh -s', 'uname -n'],
    snapshot: `reports/facts/${name}.json`,
  };
}
const HOSTS = [host('controller', 'controller', '10.0.0.11'), host('compute1', 'compute', '10.0.0.31')];

function entry(overrides: Partial<ResultEntry>): ResultEntry {
  return {
    lab: 'default',
    host: 'controller',
    check: 'selinux.runtime',
    title: 'SELinux is permissive or disabled now',
    status: 'pass',
    expected: 'Permissive or Disabled',
    actual: 'permissive',
    source: 'getenforce',
    message: '',
    fix: '',
    ...overrides,
  };
}

const ENTRIES: ResultEntry[] = [
  entry({}),
  entry({
    check: 'selinux.config',
    status: 'fail',
    expected: 'SELINUX=disabled',
    actual: 'SELINUX=enforcing',
    source: '/etc/selinux/config:7',
    message: 'SELinux will be enforcing after the next boot',
    fix: "sed -i 's/^SELINUX=.*/SELINUX=disabled/' /etc/selinux/config",
  }),
  entry({
    check: 'os.release',
    status: 'error',
    expected: '',
    actual: 'NAME="TencentOS Server"',
    source: 'cat /etc/centos-release',
    message: 'probe release: expected one line, got 17',
  }),
  entry({
    check: 'chrony.source',
    status: 'skip',
    expected: '',
    actual: '',
    source: '',
    message: 'applies to compute hosts; controller is controller',
  }),
  entry({
    host: 'compute1',
    check: 'chrony.source',
    status: 'pass',
    actual: 'server controller iburst',
    source: '/etc/chrony.conf:3',
  }),
  entry({
    host: null,
    check: 'topology.hosts',
    status: 'pass',
    actual: 'all agree',
    source: 'controller:/etc/hosts, compute1:/etc/hosts',
  }),
];

describe('xmlSafe', () => {
  it('shows XML-forbidden control characters as visible escapes, keeps tab/LF/CR', () => {
    expect(xmlSafe('a\u0000b\u001b[31mc\u0007\u000b\u000c\u001f')).toBe('a\\x00b\\x1b[31mc\\x07\\x0b\\x0c\\x1f');
    expect(xmlSafe('tab\there\nline\r\n')).toBe('tab\there\nline\r\n');
  });

  it('replaces lone surrogates and U+FFFE/U+FFFF with U+FFFD, keeps valid pairs', () => {
    expect(xmlSafe('x\ud800y')).toBe('x\ufffdy');
    expect(xmlSafe('x\udc00y')).toBe('x\ufffdy');
    expect(xmlSafe('end\ud83d')).toBe('end\ufffd');
    expect(xmlSafe('\ufffe\uffff')).toBe('\ufffd\ufffd');
    expect(xmlSafe('ok \ud83d\ude00')).toBe('ok \ud83d\ude00');
  });
});

describe('buildJunit: structure', () => {
  const xml = buildJunit(ENTRIES, HOSTS);

  it('validates against the Jenkins JUnit schema', () => {
    const { status, stderr, file } = validate(xml);
    expect(stderr).toBe(`${file} validates\n`);
    expect(status).toBe(0);
  });

  it("one testsuite per host (and one for the lab's cross-host checks), with host/address/role properties", () => {
    expect(xpath(xml, 'count(/testsuites/testsuite)')).toBe('3');
    expect(xpath(xml, 'string(/testsuites/testsuite[1]/@name)')).toBe('default/controller');
    expect(xpath(xml, 'string(/testsuites/testsuite[1]/properties/property[@name="host"]/@value)')).toBe('controller');
    expect(xpath(xml, 'string(/testsuites/testsuite[1]/properties/property[@name="address"]/@value)')).toBe(
      '10.0.0.11',
    );
    expect(xpath(xml, 'string(/testsuites/testsuite[1]/properties/property[@name="role"]/@value)')).toBe('controller');
    expect(xpath(xml, 'string(/testsuites/testsuite[2]/properties/property[@name="host"]/@value)')).toBe('compute1');
    expect(xpath(xml, 'string(/testsuites/testsuite[2]/properties/property[@name="role"]/@value)')).toBe('compute');
    expect(xpath(xml, 'string(/testsuites/testsuite[3]/@name)')).toBe('default (cross-host)');
    expect(xpath(xml, 'count(/testsuites/testsuite[3]/properties/property[@name="host"])')).toBe('0');
    expect(xpath(xml, 'string(/testsuites/testsuite[1]/@time)')).toBe('1.5');
  });

  it('classname <lab>.<host>, name = the check ID', () => {
    expect(xpath(xml, 'string(/testsuites/testsuite[1]/testcase[2]/@classname)')).toBe('default.controller');
    expect(xpath(xml, 'string(/testsuites/testsuite[1]/testcase[2]/@name)')).toBe('selinux.config');
    expect(xpath(xml, 'string(/testsuites/testsuite[2]/testcase[1]/@classname)')).toBe('default.compute1');
    expect(xpath(xml, 'string(/testsuites/testsuite[3]/testcase[1]/@classname)')).toBe('default.lab');
    expect(xpath(xml, 'string(/testsuites/testsuite[3]/testcase[1]/@name)')).toBe('topology.hosts');
  });

  it('fail → <failure> with the message and expected/actual/source/fix in its body', () => {
    expect(xpath(xml, 'string(//testcase[@name="selinux.config"]/failure/@message)')).toBe(
      'SELinux will be enforcing after the next boot',
    );
    expect(xpath(xml, 'string(//testcase[@name="selinux.config"]/failure/@type)')).toBe('CheckFailed');
    expect(xpath(xml, 'string(//testcase[@name="selinux.config"]/failure)')).toBe(
      "check: SELinux is permissive or disabled now\nexpected: SELINUX=disabled\nactual: SELINUX=enforcing\nsource: /etc/selinux/config:7\nfix: sed -i 's/^SELINUX=.*/SELINUX=disabled/' /etc/selinux/config",
    );
  });

  it('error → <error>; skip → <skipped/>; pass → neither', () => {
    expect(xpath(xml, 'string(//testcase[@name="os.release"]/error/@message)')).toBe(
      'probe release: expected one line, got 17',
    );
    expect(xpath(xml, 'string(//testcase[@name="os.release"]/error)')).toContain('actual: NAME="TencentOS Server"');
    expect(xpath(xml, 'count(//testsuite[1]/testcase[@name="chrony.source"]/skipped)')).toBe('1');
    expect(xpath(xml, 'string(//testsuite[1]/testcase[@name="chrony.source"]/system-out)')).toBe(
      'applies to compute hosts; controller is controller',
    );
    expect(
      xpath(
        xml,
        'count(//testsuite[1]/testcase[@name="selinux.runtime"]/*[name()="failure" or name()="error" or name()="skipped"])',
      ),
    ).toBe('0');
  });

  it('counts on the root and suites; the root <testsuites> has no skipped attribute', () => {
    expect(xml).toMatch(/<testsuites tests="6" failures="1" errors="1">/);
    expect(xpath(xml, 'count(/testsuites/@skipped)')).toBe('0');
    expect(xpath(xml, 'string(/testsuites/testsuite[1]/@skipped)')).toBe('1');
    expect(xpath(xml, 'string(/testsuites/testsuite[1]/@tests)')).toBe('4');
  });
});

describe('buildJunit: hostile text from hosts', () => {
  const HOSTILE = {
    ansi: 'chronyd \u001b[1;31mfailed\u001b[0m',
    nul: 'before\u0000after',
    control: '\u0001\u0002\u0007\u0008\u000b\u000c\u000e\u001f\u007f',
    cdataEnd: 'x ]]> y <![CDATA[ z ]]> & < > " \'',
    surrogate: 'lone \ud800 high, lone \udc01 low, end \ud83d',
    nonChars: 'a\ufffeb\uffffc',
    long: `${'A'.repeat(1024 * 1024)}|end`,
  };

  const entries: ResultEntry[] = Object.entries(HOSTILE).map(([name, text]) =>
    entry({
      check: `hostile.${name}`,
      status: 'fail',
      expected: text,
      actual: text,
      source: text,
      message: text,
      fix: text,
      title: text,
    }),
  );
  entries.push(
    entry({
      check: 'hostile.error',
      status: 'error',
      actual: HOSTILE.control + HOSTILE.cdataEnd,
      message: HOSTILE.ansi,
    }),
  );
  entries.push(entry({ check: 'hostile.skip', status: 'skip', message: HOSTILE.nul + HOSTILE.surrogate }));
  entries.push(
    entry({ check: 'hostile.pass', status: 'pass', actual: HOSTILE.ansi + HOSTILE.cdataEnd, message: HOSTILE.nul }),
  );
  const hostile = host(`ctl\u001b[0m`, 'controller', '10.0.0.11\u0000');
  hostile.host = 'controller';
  hostile.commands = ['printf "\\033[31m"', 'cat \u0000file'];
  const xml = buildJunit(entries, [hostile]);

  it('validates against the schema', () => {
    const { status, stderr, file } = validate(xml);
    expect(stderr).toBe(`${file} validates\n`);
    expect(status).toBe(0);
  });

  it('no XML-forbidden character remains anywhere in the document', () => {
    // eslint-disable-next-line no-control-regex
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/);
    expect(xml).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });

  it('control characters show as visible \\x escapes in bodies and attributes', () => {
    expect(xpath(xml, 'string(//testcase[@name="hostile.ansi"]/failure/@message)')).toBe(
      'chronyd \\x1b[1;31mfailed\\x1b[0m',
    );
    expect(xpath(xml, 'string(//testcase[@name="hostile.nul"]/failure/@message)')).toBe('before\\x00after');
    expect(xpath(xml, 'string(//testcase[@name="hostile.control"]/failure/@message)')).toBe(
      '\\x01\\x02\\x07\\x08\\x0b\\x0c\\x0e\\x1f\u007f',
    );
    expect(xpath(xml, 'string(//testcase[@name="hostile.ansi"]/failure)')).toContain(
      'actual: chronyd \\x1b[1;31mfailed\\x1b[0m\n',
    );
    expect(xpath(xml, 'string(//testcase[@name="hostile.error"]/error/@message)')).toBe(
      'chronyd \\x1b[1;31mfailed\\x1b[0m',
    );
    expect(xpath(xml, 'string(/testsuites/testsuite[1]/properties/property[@name="address"]/@value)')).toBe(
      '10.0.0.11\\x00',
    );
    expect(xpath(xml, 'string(/testsuites/testsuite[1]/properties/property[@name="commands"]/@value)')).toBe(
      'printf "\\033[31m"\ncat \\x00file',
    );
  });

  it(']]> stays as is in attributes; in CDATA bodies every ]]> shows as ]]\\x3e (the builder splits only the first one)', () => {
    const text = HOSTILE.cdataEnd;
    const inBody = 'x ]]\\x3e y <![CDATA[ z ]]\\x3e & < > " \'';
    expect(xpath(xml, 'string(//testcase[@name="hostile.cdataEnd"]/failure/@message)')).toBe(text);
    expect(xpath(xml, 'string(//testcase[@name="hostile.cdataEnd"]/failure)')).toBe(
      `check: ${inBody}\nexpected: ${inBody}\nactual: ${inBody}\nsource: ${inBody}\nfix: ${inBody}`,
    );
    expect(xpath(xml, 'string(//testcase[@name="hostile.error"]/error)')).toContain(
      `actual: \\x01\\x02\\x07\\x08\\x0b\\x0c\\x0e\\x1f\u007f${inBody}\n`,
    );
    expect(xpath(xml, 'string(//testcase[@name="hostile.pass"]/system-out)')).toContain(
      `actual: chronyd \\x1b[1;31mfailed\\x1b[0m${inBody}\n`,
    );
  });

  it('two ]]> in one body (e.g. XML printed by a host) still make a well-formed, valid report', () => {
    const twice = buildJunit(
      [entry({ status: 'fail', message: 'm', expected: '<a><![CDATA[1]]></a>', actual: '<a><![CDATA[2]]></a>' })],
      [],
    );
    const { status, stderr, file } = validate(twice);
    expect(stderr).toBe(`${file} validates\n`);
    expect(status).toBe(0);
    expect(xpath(twice, 'string(//failure)')).toContain(
      'expected: <a><![CDATA[1]]\\x3e</a>\nactual: <a><![CDATA[2]]\\x3e</a>',
    );
  });

  it('lone surrogates and non-characters become U+FFFD', () => {
    expect(xpath(xml, 'string(//testcase[@name="hostile.surrogate"]/failure/@message)')).toBe(
      'lone \ufffd high, lone \ufffd low, end \ufffd',
    );
    expect(xpath(xml, 'string(//testcase[@name="hostile.nonChars"]/failure/@message)')).toBe('a\ufffdb\ufffdc');
    expect(xpath(xml, 'string(//testcase[@name="hostile.skip"]/system-out)')).toBe(
      'before\\x00afterlone \ufffd high, lone \ufffd low, end \ufffd',
    );
  });

  it('a megabyte of text is kept whole', () => {
    expect(xpath(xml, 'string-length(//testcase[@name="hostile.long"]/failure/@message) = 1048580')).toBe('true');
    expect(xpath(xml, 'substring-after(//testcase[@name="hostile.long"]/failure/@message, "A|")')).toBe('end');
  });
});
