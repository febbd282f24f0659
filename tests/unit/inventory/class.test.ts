import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvText, parseCsv } from '../../../inventory/csv.ts';
import { InventoryError, loadInventory, parseInventory } from '../../../inventory/load.ts';
import { labNameFromId } from '../../../inventory/roster.ts';

const FILE = 'class.yaml';

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(InventoryError);
    const problems = (error as InventoryError).problems;
    for (const p of problems) expect(p).not.toMatch(/\n/);
    return problems;
  }
  throw new Error('expected InventoryError, but the inventory was accepted');
}

const work = mkdtempSync(join(tmpdir(), 'labspec-class-inventory-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A class inventory and its roster CSV in a folder of their own; the inventory's path. */
function classFiles(inventory: string, roster: string, rosterName = 'students.csv'): string {
  const dir = mkdtempSync(join(work, 'class-'));
  writeFileSync(join(dir, rosterName), roster);
  writeFileSync(join(dir, 'class.yaml'), inventory);
  return join(dir, 'class.yaml');
}

describe('labs: each lab has a student', () => {
  it('id, display name, members and LMS id; the lab name comes from the id when not given; without an id the name is the id', () => {
    const { labs, isClass } = parseInventory(
      `labs:
  - id: maria.garcia
    displayName: María García
    lmsId: mgarcia@uni.example
    hosts: [{ name: controller, address: 192.0.2.10, labAddress: 10.0.0.100, role: controller }]
  - name: team3
    id: "0042"
    members: [김민수, 이서연]
    hosts: [{ name: controller, address: 192.0.2.11, labAddress: 10.0.0.100, role: controller }]
  - name: student3
    hosts: [{ name: controller, address: 192.0.2.12, labAddress: 10.0.0.100, role: controller }]
`,
      FILE,
    );
    expect(isClass).toBe(true);
    expect(labs.map((l) => [l.settings.name, l.student, l.hosts[0]!.lab])).toEqual([
      [
        'maria-garcia',
        { id: 'maria.garcia', displayName: 'María García', members: [], lmsId: 'mgarcia@uni.example' },
        'maria-garcia',
      ],
      ['team3', { id: '0042', displayName: null, members: ['김민수', '이서연'], lmsId: null }, 'team3'],
      ['student3', { id: 'student3', displayName: null, members: [], lmsId: null }, 'student3'],
    ]);
  });

  it('a single-lab inventory is no class and has no student', () => {
    const inventory = parseInventory('hosts: [{ name: controller, address: 10.0.0.100, role: controller }]\n', FILE);
    expect(inventory).toMatchObject({ isClass: false, rubric: null });
    expect(inventory.labs[0]!.student).toBeNull();
  });

  it('an unquoted numeric id, a lab with neither name nor id, a duplicate id: located problems', () => {
    const host = 'hosts: [{ name: controller, address: 10.0.0.100, role: controller }]';
    expect(
      problemsOf(() =>
        parseInventory(
          `labs:\n  - id: 0042\n    ${host}\n  - ${host}\n  - id: a\n    ${host}\n  - id: a\n    ${host}\n`,
          FILE,
        ),
      ),
    ).toEqual([
      `${FILE}:2 labs[0].id: write it in quotes, e.g. "42": YAML reads a bare number as a number (leading zeros are lost)`,
      `${FILE}:4 labs[1].name: give the lab a name or its student an id`,
    ]);
    expect(problemsOf(() => parseInventory(`labs:\n  - id: a\n    ${host}\n  - id: a\n    ${host}\n`, FILE))).toEqual([
      `${FILE}:4 labs[1].id: duplicate student id a (also lab 1)`,
    ]);
  });

  it('lab names from ids: a hostname label, lab<N> when nothing is left, numbered when taken', () => {
    const taken = new Set(['jdoe-22']);
    expect(labNameFromId('jdoe_22', 1, taken)).toBe('jdoe-22-2');
    expect(labNameFromId('Maria.Garcia', 2, taken)).toBe('maria-garcia');
    expect(labNameFromId('김민수', 3, taken)).toBe('lab3');
    expect(labNameFromId('2024-1234', 4, taken)).toBe('2024-1234');
  });
});

const TEMPLATE = `template:
  defaults:
    port: "{port}"
  hosts:
    - name: controller
      address: "{address}"
      labAddress: 10.0.0.100
      role: controller
    - name: compute1
      address: "{address}"
      port: "{computePort}"
      labAddress: 10.0.0.101
      role: compute
`;

describe('roster: with template: (one lab per student)', () => {
  it('a CSV roster: BOM, quoted commas, Korean names, members split on ;; addresses and ports from its columns', () => {
    const file = classFiles(
      `defaults:\n  user: root\nroster: students.csv\n${TEMPLATE}`,
      '\uFEFFid,displayName,members,lmsId,address,port,computePort\r\n' +
        '2024-0001,김민수,,2024-0001@uni.example,203.0.113.7,2201,2202\r\n' +
        '"maria.garcia","García, María",María García;Kim Lee,,203.0.113.7,2211,2212\r\n',
    );
    const { labs, isClass } = loadInventory(file);
    expect(isClass).toBe(true);
    expect(labs.map((l) => [l.settings.name, l.student])).toEqual([
      ['2024-0001', { id: '2024-0001', displayName: '김민수', members: [], lmsId: '2024-0001@uni.example' }],
      [
        'maria-garcia',
        { id: 'maria.garcia', displayName: 'García, María', members: ['María García', 'Kim Lee'], lmsId: null },
      ],
    ]);
    expect(labs[1]!.hosts.map((h) => [h.name, h.address, h.connection.port, h.labAddress, h.connection.user])).toEqual([
      ['controller', '203.0.113.7', 2211, '10.0.0.100', 'root'],
      ['compute1', '203.0.113.7', 2212, '10.0.0.101', 'root'],
    ]);
  });

  it('a roster list in the inventory, addresses from a pattern with {n}, {id} and {name}', () => {
    const { labs } = parseInventory(
      `roster:
  - { id: jdoe_22, displayName: John Doe }
  - { id: "2024-0002", lab: team-b }
template:
  defaults:
    user: "{name}"
  hosts:
    - { name: controller, address: "192.168.{n}.10", labAddress: 10.0.0.100, role: controller }
    - { name: compute1, address: "{id}.lab.example", labAddress: 10.0.0.101, role: compute }
`,
      FILE,
    );
    expect(labs.map((l) => l.hosts.map((h) => `${l.settings.name} ${h.connection.user} ${h.address}`))).toEqual([
      ['jdoe-22 jdoe-22 192.168.1.10', 'jdoe-22 jdoe-22 jdoe_22.lab.example'],
      ['team-b team-b 192.168.2.10', 'team-b team-b 2024-0002.lab.example'],
    ]);
    expect(labs[1]!.student).toEqual({ id: '2024-0002', displayName: null, members: [], lmsId: null });
  });

  it("a value the template gave that is wrong: the template's line and the roster row; a student field: the row", () => {
    const file = classFiles(
      `roster: students.csv\n${TEMPLATE}`,
      'id,address,port,computePort\n2024-0001,203.0.113.7,2201,2202\n2024-0002,203.0.113.7,22x,2212\n,203.0.113.7,2221,2222\n',
    );
    const roster = join(file, '..', 'students.csv');
    expect(problemsOf(() => loadInventory(file))).toEqual([
      `${file}:4 template.defaults.port (roster ${roster}:3 2024-0002): Invalid input: expected number, received string`,
      `${roster}:4 id: expected text, not an empty value`,
    ]);
  });

  it('a placeholder that is no roster column, at its template line, naming the columns', () => {
    const file = classFiles(`roster: students.csv\n${TEMPLATE}`, 'id,address,port\n2024-0001,203.0.113.7,2201\n');
    expect(problemsOf(() => loadInventory(file))).toEqual([
      `${file}:12 template.hosts[1].port: {computePort} is not a roster column (columns: n, id, address, port)`,
    ]);
  });

  it('CSV problems at the roster line: field count, stray quote, no id column, no students, a missing roster', () => {
    const inventory = `roster: students.csv\n${TEMPLATE}`;
    const at = (csv: string) => {
      const file = classFiles(inventory, csv);
      return problemsOf(() => loadInventory(file)).map((p) => p.replace(`${join(file, '..')}/`, ''));
    };
    expect(at('id,address,port,computePort\n\n2024-0001,203.0.113.7,2201\n')).toEqual([
      'students.csv:3 3 fields, the header has 4',
    ]);
    expect(at('id,address,port,computePort\n2024-0001,203.0"113.7,2201,2202\n')).toEqual([
      'students.csv:2 CSV: a quote inside an unquoted field; quote the whole field and double the quote',
    ]);
    expect(at('student,address\nx,y\n')).toEqual(['students.csv:1 no id column (columns: student, address)']);
    expect(at('id,address,port,computePort\n')).toEqual(['students.csv:1 no student after the header']);
    const missing = join(work, 'elsewhere.yaml');
    writeFileSync(missing, `# a class\nroster: nobody.csv\n${TEMPLATE}`);
    expect(problemsOf(() => loadInventory(missing))).toEqual([
      `${missing}:2 roster: cannot read the roster nobody.csv (ENOENT)`,
    ]);
  });

  it('labs: and roster: together, and a template key that is no lab setting', () => {
    expect(problemsOf(() => parseInventory(`labs: []\nroster: s.csv\n${TEMPLATE}`, FILE))).toEqual([
      `${FILE}:1 labs: write a class either as labs: or as roster: with template:, not both`,
    ]);
    expect(
      problemsOf(() =>
        parseInventory(
          `roster: [{ id: a }]\ntemplate:\n  hosts:\n    - { name: controller, address: 10.0.0.100, role: controller, colour: red }\n`,
          FILE,
        ),
      ),
    ).toEqual([`${FILE}:4 template.hosts[0] (roster ${FILE}:1 a): Unrecognized key: "colour"`]);
  });
});

describe('rubric in the inventory', () => {
  it('is kept with the line of each check id, for the grader to check against the registry', () => {
    const { rubric } = parseInventory(
      `rubric:\n  gradeScale: 20\n  points:\n    topology.ntp: 5\n    chrony.alow: 2\nlabs:\n  - name: s1\n    hosts: [{ name: controller, address: 10.0.0.100, role: controller }]\n`,
      FILE,
    );
    expect(rubric).toEqual({
      file: FILE,
      settings: { gradeScale: 20, points: { 'topology.ntp': 5, 'chrony.alow': 2 } },
      pointsAt: {
        'topology.ntp': `${FILE}:4 rubric.points.topology.ntp`,
        'chrony.alow': `${FILE}:5 rubric.points.chrony.alow`,
      },
    });
  });

  it('bad values: located', () => {
    expect(
      problemsOf(() =>
        parseInventory(
          `rubric:\n  points: { topology.ntp: many }\n  clones: { facts: [machineId, colour] }\nlabs:\n  - name: s1\n    hosts: [{ name: controller, address: 10.0.0.100, role: controller }]\n`,
          FILE,
        ),
      ),
    ).toEqual([
      `${FILE}:2 rubric.points.topology.ntp: expected a number of points, e.g. 3`,
      `${FILE}:3 rubric.clones.facts[1]: expected one of hostKey, machineId, mac, rootFsUuid`,
    ]);
  });
});

describe('CSV', () => {
  it('reads what it writes: quotes, commas, line breaks, Korean, a leading blank', () => {
    const rows = [
      ['id', 'name', 'note'],
      ['2024-0001', '김민수', 'a, b'],
      ['x', 'say "hi"', 'two\nlines'],
      ['y', ' padded', ''],
    ];
    const text = csvText(rows);
    expect(text).toBe('id,name,note\r\n2024-0001,김민수,"a, b"\r\nx,"say ""hi""","two\nlines"\r\ny," padded",\r\n');
    expect(parseCsv(text).map((r) => r.fields)).toEqual(rows);
    expect(parseCsv(text).map((r) => r.line)).toEqual([1, 2, 3, 5]);
  });
});
