import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Check, LabView } from '../../../checks/check.ts';
import { checksForLab, isFamily, isKnownCheckId, REGISTRY, SECTIONS } from '../../../checks/registry.ts';
import { scenarios } from '../../../lab/scenarios.ts';
import { LAB_HOSTS } from '../../../lab/topology.ts';

const ROOT = join(import.meta.dirname, '../../..');
const HANGUL = /\p{Script=Hangul}/u;

/** The registry as documented: a family by its template (`hosts.<name>`). */
const DOCUMENTED: Check[] = REGISTRY.map((entry) => (isFamily(entry) ? entry.template : entry));
const IDS = DOCUMENTED.map((c) => c.id);

/** The local lab's topology as the checks see it: every family expanded once per host. */
const LAB: LabView = {
  settings: {
    name: 'default',
    subnet: '10.0.0.0/24',
    ntpUpstream: '2.kr.pool.ntp.org',
    minCpus: 2,
    minRootDiskGiB: 60,
    release: { name: 'CentOS Linux', major: 7 },
    chronySyncWaitSeconds: 10,
  },
  hosts: LAB_HOSTS.map((h) => ({
    lab: 'default',
    name: h.name,
    address: h.address,
    labAddress: h.address,
    role: h.role,
  })),
};
const expanded = checksForLab(LAB);
const EXPANDED: Check[] = [...expanded.host, ...expanded.lab];

describe('the check registry', () => {
  it('every check ID is unique, as documented and as expanded for a lab', () => {
    expect(new Set(IDS).size).toBe(IDS.length);
    const ids = EXPANDED.map((c) => c.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    expect(ids).toContain('hosts.controller');
    expect(ids).toContain('hosts.compute1');
    expect(ids).not.toContain('hosts.<name>');
  });

  it('IDs are lower-case dotted words (stable testcase names in JUnit)', () => {
    for (const id of EXPANDED.map((c) => c.id)) expect(id).toMatch(/^[a-z]+(\.[a-z0-9-]+)+$/);
  });

  it('every section in SECTIONS has checks, and every check belongs to a known section', () => {
    const sectionIds = SECTIONS.map((s) => s.id);
    expect(new Set(sectionIds).size).toBe(sectionIds.length);
    for (const section of sectionIds) {
      expect(
        DOCUMENTED.filter((c) => c.section === section).map((c) => c.id),
        section,
      ).not.toEqual([]);
    }
    for (const check of DOCUMENTED) expect(sectionIds, check.id).toContain(check.section);
  });

  it('in report order: the checks of a section are listed together, in the order of SECTIONS', () => {
    const order = DOCUMENTED.map((c) => c.section).filter((s, i, all) => all.indexOf(s) === i);
    expect(order).toEqual(SECTIONS.map((s) => s.id));
  });

  it('every check has a Korean title (in Hangul) for students, and an English one', () => {
    for (const check of [...DOCUMENTED, ...EXPANDED]) {
      expect(check.title.trim(), check.id).not.toBe('');
      expect(check.titleKo.trim(), check.id).not.toBe('');
      expect(check.titleKo, `${check.id} titleKo ${JSON.stringify(check.titleKo)}`).toMatch(HANGUL);
    }
    for (const section of SECTIONS) expect(section.titleKo, section.id).toMatch(HANGUL);
  });

  it('points are positive whole numbers', () => {
    for (const check of [...DOCUMENTED, ...EXPANDED]) {
      expect(Number.isInteger(check.points) && check.points > 0, `${check.id}: ${check.points}`).toBe(true);
    }
  });

  it('every check says how to fix it, and why it is not judged on an image when it is not', () => {
    for (const check of DOCUMENTED) {
      expect(check.fix.trim(), check.id).not.toBe('');
      if (!check.image.judged) expect(check.image.reason.trim(), check.id).not.toBe('');
    }
  });

  it("every check has a students' hint in English and Korean, and a Korean fix, with no placeholder left", () => {
    for (const check of EXPANDED) {
      for (const field of ['hint', 'hintKo', 'fixKo'] as const) {
        const text = check[field];
        expect(text.trim().length, `${check.id} ${field} is empty`).toBeGreaterThan(10);
        expect(text, `${check.id} ${field} has a placeholder: ${text}`).not.toMatch(/<[a-z. ]+>|TODO|TBD|\?\?/i);
      }
      expect(check.hintKo, `${check.id} hintKo`).toMatch(HANGUL);
      expect(check.fixKo, `${check.id} fixKo`).toMatch(HANGUL);
      expect(check.hint, `${check.id} hint is English`).not.toMatch(HANGUL);
    }
  });

  it('a hint says what is wrong without giving the command that fixes it', () => {
    const commands = /\b(systemctl|yum|dnf|setenforce|hostnamectl|sed|echo|vi|vim|lvextend|pkill|chronyc|ip a)\b/;
    for (const check of EXPANDED) {
      expect(check.hint, `${check.id} hint`).not.toMatch(commands);
      expect(check.hintKo, `${check.id} hintKo`).not.toMatch(commands);
      expect(check.hint, `${check.id} hint`).not.toContain(check.fix);
      expect(check.hintKo, `${check.id} hintKo`).not.toContain(check.fix);
    }
  });

  it('isKnownCheckId: registry IDs and family members; not unknown IDs', () => {
    for (const id of IDS) if (!id.includes('<')) expect(isKnownCheckId(id), id).toBe(true);
    expect(isKnownCheckId('hosts.controller')).toBe(true);
    expect(isKnownCheckId('hosts.student-7')).toBe(true);
    expect(isKnownCheckId('selinux.enforcing')).toBe(false);
    expect(isKnownCheckId('firewalld')).toBe(false);
    expect(isKnownCheckId('')).toBe(false);
  });
});

describe('the spec files follow the registry', () => {
  const specDir = join(ROOT, 'specs');
  const specs = readdirSync(specDir)
    .filter((f) => f.endsWith('.spec.ts'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(specDir, file), 'utf8');
      const call = /checklist\(\s*'([^']+)'\s*,\s*\[([^\]]*)\]\s*\)/.exec(text);
      return {
        file,
        section: call?.[1],
        ids: call ? [...call[2]!.matchAll(/'([^']+)'/g)].map((m) => m[1]!) : [],
        calls: text.match(/\bchecklist\(/g)?.length ?? 0,
      };
    });

  it('one spec file per section, in the order of SECTIONS, each with one checklist call', () => {
    expect(specs.map((s) => s.section)).toEqual(SECTIONS.map((s) => s.id));
    for (const spec of specs) expect(spec.calls, spec.file).toBe(1);
  });

  it("each spec file lists exactly the registry's checks of its section, in registry order", () => {
    for (const spec of specs) {
      const registered = DOCUMENTED.filter((c) => c.section === spec.section).map((c) => c.id);
      expect(spec.ids, `${spec.file} (section ${spec.section})`).toEqual(registered);
    }
  });

  it('together, the spec files list every registry check once', () => {
    const listed = specs.flatMap((s) => s.ids);
    expect([...listed].sort()).toEqual([...IDS].sort());
  });
});

describe('the lab scenarios name real checks', () => {
  const entries = scenarios.flatMap((s) =>
    s.mustFail.map((entry) => {
      const [where, ...rest] = entry.split(':');
      return { scenario: s.name, entry, where: where!, id: rest.join(':') };
    }),
  );

  it('every mustFail entry is <host>:<check> with a check ID the registry knows', () => {
    expect(entries.length).toBeGreaterThan(0);
    for (const { scenario, entry, id } of entries) {
      expect(isKnownCheckId(id), `${scenario}: ${entry} names no known check`).toBe(true);
    }
  });

  it('lab: entries are cross-host checks; host entries are host checks of that lab host (family members included)', () => {
    const hostNames = LAB_HOSTS.map((h) => h.name as string);
    for (const { scenario, entry, where, id } of entries) {
      const check = EXPANDED.find((c) => c.id === id);
      expect(check, `${scenario}: ${entry} is not a check of the local lab`).toBeDefined();
      if (where === 'lab') {
        expect(check!.scope, `${scenario}: ${entry}`).toBe('lab');
      } else {
        expect(hostNames, `${scenario}: ${entry}`).toContain(where);
        expect(check!.scope, `${scenario}: ${entry}`).toBe('host');
      }
    }
  });

  it('scenario names are unique', () => {
    const names = scenarios.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('the README documents the registry', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = /^## Checks\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? '';
  const decode = (text: string) =>
    text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/`/g, '').trim();
  /** First-column IDs of the table; the shorthand `a.b / .c` documents a.b and a.c. */
  const documented = section
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2) // the header and its rule
    .map((line) => decode(line.split('|')[1] ?? ''))
    .flatMap((cell) => {
      const [first, ...more] = cell.split(/\s+\/\s+/);
      const stem = first!.slice(0, first!.lastIndexOf('.'));
      return [first!, ...more.map((m) => (m.startsWith('.') ? `${stem}${m}` : m))];
    });

  it('README.md has a "## Checks" section with a table', () => {
    expect(section, 'README.md has no "## Checks" section').not.toBe('');
    expect(documented.length, 'README.md "## Checks" has no table rows').toBeGreaterThan(0);
  });

  it("the README's check table lists exactly the registry's check IDs", () => {
    const missing = IDS.filter((id) => !documented.includes(id));
    const extra = documented.filter((id) => !IDS.includes(id));
    const twice = documented.filter((id, i) => documented.indexOf(id) !== i);
    expect(
      { missing, extra, twice },
      'README.md "## Checks" table is out of date with checks/registry.ts ' +
        '(missing: in the registry, not in the README; extra: in the README only); update the README table',
    ).toEqual({ missing: [], extra: [], twice: [] });
  });
});

describe("the README's image profile table follows the registry", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = /^### The image profile\n([\s\S]*?)(?=^##)/m.exec(readme)?.[1] ?? '';
  const rows = section
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2)
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .map(([, id, reason]) => [id, reason]);

  it('lists exactly the checks the image profile skips, in registry order, each with its reason', () => {
    const skipped = DOCUMENTED.flatMap((check) => (check.image.judged ? [] : [[check.id, check.image.reason]]));
    expect(skipped.length).toBeGreaterThan(0);
    expect(rows, 'README.md "### The image profile" table is out of date with the registry\'s image entries').toEqual(
      skipped,
    );
  });
});
