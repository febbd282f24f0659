import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderClassHtml, type ScoreHistory } from '../../../outputs/class-html.ts';
import { escapeHtml, jsonForScript } from '../../../outputs/html.ts';
import { ALL_HOSTILE, HOSTILE, hostileClass } from './hostile-class.ts';

/** Every `<tag` the page opens, by name: what a browser would build elements from. */
function openedTags(html: string): string[] {
  return [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => m[1]!.toLowerCase());
}

const ALLOWED_TAGS = new Set(
  (
    'html head meta title style body header h1 h2 p a code ul li span b small section div label input output table ' +
    'colgroup col thead tbody tr th td button aside dl dt dd script svg line polyline circle'
  ).split(' '),
);

describe('class.html escapes everything students and hosts wrote', () => {
  const grade = hostileClass();
  for (const lang of ['en', 'ko'] as const) {
    const html = renderClassHtml(grade, { lang });

    it(`${lang}: no element, attribute or script comes from a value: only the page's own tags, two scripts`, () => {
      const unexpected = openedTags(html).filter((t) => !ALLOWED_TAGS.has(t));
      expect(unexpected).toEqual([]);
      expect(html.match(/<script/g)).toHaveLength(2);
      const markup = html.replace(/<script type="application\/json"[^>]*>[^<]*<\/script>/, '');
      expect(markup).not.toMatch(/ on[a-z]+=["']alert/);
      expect(markup).not.toContain('<!--');
    });

    it(`${lang}: the embedded data gives back every hostile value unchanged`, () => {
      const json = /<script type="application\/json" id="class-data">([^<]*)<\/script>/.exec(html)?.[1];
      expect(json, 'class-data script').toBeDefined();
      const data = JSON.parse(json!) as { labs: Array<{ id: string; name: string; cells: Record<string, any> }> };
      const student2 = data.labs[1]!;
      expect(student2.id).toBe(`2024-0002${HOSTILE.attribute}`);
      expect(student2.name).toBe(HOSTILE.script);
      expect(student2.cells['controller:chrony.allow']).toMatchObject({
        status: 'fail',
        expected: HOSTILE.script,
        actual: `${HOSTILE.attribute}\nsecond line ${HOSTILE.separators}`,
        source: HOSTILE.comment,
        message: HOSTILE.tag,
      });
    });

    it(`${lang}: a Content-Security-Policy allows only the page's own style and script, by hash; nothing loads`, () => {
      const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
      expect(policy).toContain("default-src 'none'");
      expect(policy).toContain("img-src 'none'");
      const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
      const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
      const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
      expect(policy).toContain(`script-src ${hash(script)}`);
      expect(policy).toContain(`style-src ${hash(style)}`);
      expect(html).not.toMatch(/(src|href)=["']?(https?:|\/\/)/);
      expect(html).not.toContain('@import');
    });
  }

  it('names and values show as text: escaped where they appear in the markup', () => {
    const html = renderClassHtml(grade, { lang: 'en' });
    expect(html).toContain(escapeHtml(HOSTILE.script));
    expect(html).toContain(escapeHtml(`2024-0002${HOSTILE.attribute}`));
    expect(html).toContain(`machine-id <code class="value">${escapeHtml(HOSTILE.tag)}</code>`);
    expect(html).toContain(escapeHtml(`connect ECONNREFUSED ${HOSTILE.tag}`));
  });

  it('escapeHtml leaves no markup character; jsonForScript no `<`, `>`, `&` or line separator', () => {
    expect(escapeHtml(ALL_HOSTILE)).not.toMatch(/[<>"']/);
    expect(escapeHtml('a & b')).toBe('a &#38; b');
    const json = jsonForScript({ value: ALL_HOSTILE });
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(json)).toEqual({ value: ALL_HOSTILE });
  });
});

describe('class.html shows the class', () => {
  const grade = hostileClass();
  const html = renderClassHtml(grade, { lang: 'en' });
  const rows = [...html.matchAll(/<tr class="([^"]*)" data-index="(\d+)"[^>]*data-score="([^"]*)"[^>]*>(.*?)<\/tr>/g)];

  it('one row per lab; a cell per column, coloured by status, in the order of the tutorial sections', () => {
    expect(rows).toHaveLength(3);
    for (const [index, lab] of grade.labs.entries()) {
      const cells = [
        ...rows[index]![4]!.matchAll(
          /<td class="c s-(pass|fail|skip|error)"><button type="button" data-key="([^"]+)"/g,
        ),
      ];
      const byKey = new Map(cells.map((m) => [m[2], m[1]]));
      for (const cell of lab.cells) expect(byKey.get(escapeHtml(cell.key)), `${lab.lab} ${cell.key}`).toBe(cell.status);
      expect(cells).toHaveLength(lab.cells.length);
    }
    const headers = [...html.matchAll(/<th scope="colgroup"[^>]*>([^<]+)<\/th>/g)].map((m) => m[1]);
    expect(headers).toEqual([
      'The host',
      'Disable firewalld and NetworkManager',
      'Disable SELinux',
      'Name resolution in /etc/hosts',
      'Time with chrony',
      'The lab as a whole',
    ]);
  });

  it("each student's id links to their report, by the safe file name", () => {
    for (const lab of grade.labs) {
      expect(html).toContain(`<a class="id" href="students/${escapeHtml(encodeURIComponent(lab.fileName))}.html"`);
    }
    expect(grade.labs[1]!.fileName).not.toMatch(/["<>/]/);
  });

  it('a lab not graded has no sort score, a badge and its reason above the matrix; clones are marked and listed', () => {
    expect(rows[2]![1]).toContain('state-not-graded');
    expect(rows[2]![3]).toBe('');
    expect(rows[0]![3]).toBe('100');
    expect(rows[0]![1]).toContain('has-clone');
    expect(html).toMatch(/<section class="attention">[\s\S]*not graded[\s\S]*student3[\s\S]*could not connect/);
    expect(html).toMatch(/Labs that share a machine identity[\s\S]*machine-id/);
  });

  it('in Korean: the UI, the sections and the check titles are Korean', () => {
    const ko = renderClassHtml(grade, { lang: 'ko' });
    for (const word of [
      '실습 채점표',
      '학생',
      '점수',
      '호스트 준비',
      '채점 안 함',
      '복제 의심',
      '기대값',
      '실제값',
      '수정 방법',
    ]) {
      expect(ko).toContain(word);
    }
    expect(ko).toContain('<html lang="ko">');
    expect(ko).toContain(escapeHtml(grade.columns.find((c) => c.key === 'controller:chrony.allow')!.titleKo));
    for (const word of ['Expected', 'Needs attention', 'Students', 'Score<']) expect(ko).not.toContain(word);
  });

  it('draws each student’s trend from the history: a line through graded runs, a dot where not graded', () => {
    const history: ScoreHistory = {
      runs: [
        { id: 'r1', startedAt: '2026-03-01T09:00:00.000Z' },
        { id: 'r2', startedAt: '2026-03-02T09:00:00.000Z' },
        { id: 'r3', startedAt: '2026-03-03T09:00:00.000Z' },
      ],
      students: [
        { id: 'student1', scores: [{ state: 'graded', percent: 50 }, null, { state: 'graded', percent: 100 }] },
        {
          id: 'student3',
          scores: [
            { state: 'graded', percent: 0 },
            { state: 'graded', percent: 25 },
            { state: 'not-graded', percent: 40 },
          ],
        },
      ],
    };
    const withTrend = renderClassHtml(grade, { lang: 'en', history });
    const svgs = [...withTrend.matchAll(/<svg class="trend"[\s\S]*?<\/svg>/g)].map((m) => m[0]);
    expect(svgs).toHaveLength(2);
    expect(svgs[0]).toContain('2026-03-02 09:00 UTC: —');
    expect(svgs[0]!.match(/<polyline/g)).toHaveLength(2);
    expect(svgs[1]).toContain('class="t-pending"');
    expect(svgs[1]).toContain('2026-03-03 09:00 UTC: not graded');
    expect(renderClassHtml(grade, { lang: 'en' })).not.toContain('<svg');
  });
});
