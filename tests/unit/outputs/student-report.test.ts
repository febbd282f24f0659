import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../../outputs/html.ts';
import { escapeMarkdown, escapeMarkdownLine, markdownCode } from '../../../outputs/markdown.ts';
import { renderStudentHtml, renderStudentMarkdown } from '../../../outputs/student-report.ts';
import { HOSTILE, hostileClass } from './hostile-class.ts';

const grade = hostileClass();
const [student1, student2, student3] = grade.labs as [
  (typeof grade.labs)[0],
  (typeof grade.labs)[0],
  (typeof grade.labs)[0],
];
const allow = grade.columns.find((c) => c.key === 'controller:chrony.allow')!;

describe('a student report gives away what --disclose allows', () => {
  it('full: each failed check with its problem, expected, actual, where it was read and the fix', () => {
    const md = renderStudentMarkdown(grade, student2, { lang: 'en', disclose: 'full' });
    expect(md).toContain(`✗ controller › ${allow.title} — **failed**`);
    expect(md).toContain('  - Expected: `</script><script>alert(1)</script>`');
    expect(md).toContain(`  - How to fix: \`echo ${HOSTILE.single} >> /etc/chrony.conf\``);
    expect(md).toContain('  - Where it was read: `<!-- <script>`');
    expect(md).toContain('**Score:** 40 of 44 points (90.91%) · **Grade:** 90.91 / 100');
  });

  it('hints: what is wrong and where to look, never expected, actual or the fix', () => {
    for (const lang of ['en', 'ko'] as const) {
      const hint = lang === 'ko' ? allow.hintKo : allow.hint;
      for (const [render, escape] of [
        [renderStudentMarkdown, escapeMarkdown],
        [renderStudentHtml, escapeHtml],
      ] as const) {
        const out = render(grade, student2, { lang, disclose: 'hints' });
        expect(out, lang).toContain(escape(hint));
        for (const secret of ['/etc/chrony.conf`', 'Expected', '기대값', 'How to fix', '수정 방법', 'onfocus']) {
          expect(out, `${lang} ${secret}`).not.toContain(secret);
        }
      }
    }
  });

  it('lists the failed checks first, in the tutorial’s order, each linking to its details', () => {
    const md = renderStudentMarkdown(grade, student2, { lang: 'ko', disclose: 'hints' });
    expect(md).toContain(
      [
        '## 고쳐야 할 항목: 2개',
        '',
        `1. controller › ${escapeMarkdown(allow.titleKo)}`,
        `2. 실습 환경 전체 › ${escapeMarkdown(grade.columns.find((c) => c.key === 'lab:topology.ntp')!.titleKo)}`,
      ].join('\n'),
    );
    const html = renderStudentHtml(grade, student2, { lang: 'en', disclose: 'full' });
    const link = /<nav class="tofix"[^]*?<a href="#(check-\d+)">controller › chrony serves NTP/.exec(html)?.[1];
    expect(html).toMatch(new RegExp(`<li class="item s-fail" id="${link}"><p class="check">.*chrony serves NTP`));
    expect(renderStudentMarkdown(grade, student1, { lang: 'en', disclose: 'full' })).not.toContain('To fix');
    expect(renderStudentMarkdown(grade, student2, { lang: 'en', disclose: 'score' })).not.toContain('To fix');
  });

  it('score: the score and each section’s points, no check at all', () => {
    for (const lang of ['en', 'ko'] as const) {
      const md = renderStudentMarkdown(grade, student2, { lang, disclose: 'score' });
      expect(md).not.toContain(allow.title);
      expect(md).not.toContain(allow.titleKo);
      expect(md).not.toMatch(/^- /m);
      expect(md).toContain(lang === 'ko' ? '## chrony로 시간 동기화 (9/10점)' : '## Time with chrony (9/10 pts)');
    }
  });

  it('groups the checks by the tutorial’s sections, each with its step in the tutorial', () => {
    const md = renderStudentMarkdown(grade, student1, { lang: 'ko', disclose: 'full' });
    const headings = [...md.matchAll(/^## (.+) \(/gm)].map((m) => m[1]);
    expect(headings).toEqual([
      '호스트 준비',
      'firewalld와 NetworkManager 끄기',
      'SELinux 끄기',
      '/etc/hosts에 호스트 이름 등록',
      'chrony로 시간 동기화',
      '실습 환경 전체 점검',
    ]);
    expect(md).toContain('튜토리얼: 1.2 선행 조건 (SE Linux)');
  });

  it('in Korean: Korean labels, titles, problem and fix around the values the host gave', () => {
    const md = renderStudentMarkdown(grade, student2, { lang: 'ko', disclose: 'full' });
    expect(md).toContain(`✗ controller › ${escapeMarkdown(allow.titleKo)} — **실패**`);
    expect(md).toContain(`  - 문제: ${escapeMarkdown(allow.hintKo)}`);
    expect(md).toContain(`  - 수정 방법: ${escapeMarkdown(allow.fixKo)}`);
    expect(md).toContain('  - 기대값: `</script><script>alert(1)</script>`');
    expect(md).toContain(`  - 이 호스트에 맞춘 수정: \`echo ${HOSTILE.single} >> /etc/chrony.conf\``);
    expect(md).toContain('**점수:** 44점 중 40점 (90.91%)');
    for (const english of ['Expected', 'Actual', 'How to fix', 'Score', 'failed', 'passed']) {
      expect(md, english).not.toContain(english);
    }
  });

  it("in Korean, the verdict's fix is shown only when it says more than the check's general fix", () => {
    const same = structuredClone(grade);
    const lab = same.labs[1]!;
    lab.cells.find((c) => c.key === 'controller:chrony.allow')!.fix = allow.fix;
    const md = renderStudentMarkdown(same, lab, { lang: 'ko', disclose: 'full' });
    const item = md.slice(md.indexOf(`✗ controller › ${escapeMarkdown(allow.titleKo)}`)).split('\n- ')[0]!;
    expect(item).toContain(`  - 수정 방법: ${escapeMarkdown(allow.fixKo)}`);
    expect(item).not.toContain('이 호스트에 맞춘 수정');
    expect(renderStudentMarkdown(same, lab, { lang: 'en', disclose: 'full' })).toContain(
      `  - How to fix: ${markdownCode(allow.fix)}`,
    );
  });

  it('a lab not graded says so once, with the host and why, and lists no check of that host', () => {
    const md = renderStudentMarkdown(grade, student3, { lang: 'ko', disclose: 'full' });
    expect(md).toContain('> 채점하지 않음:');
    expect(md).toContain(`> compute1에 접속하지 못했습니다: connect ECONNREFUSED \\${HOSTILE.tag}`);
    expect(md).not.toContain('점수:');
    expect(md).not.toContain('compute1 ›');
    expect(md).toContain('controller ›');
  });
});

describe('student reports escape what students and hosts wrote', () => {
  it('HTML: only the page’s own tags, no script at all, and the CSP forbids any', () => {
    for (const lang of ['en', 'ko'] as const) {
      const html = renderStudentHtml(grade, student2, { lang, disclose: 'full' });
      const tags = new Set([...html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => m[1]!.toLowerCase()));
      expect([...tags].sort()).toEqual(
        ['body', 'code', 'dd', 'div', 'dl', 'dt', 'h1', 'h2', 'head', 'header', 'html', 'li', 'meta', 'p', 'section']
          .concat(['span', 'style', 'title', 'ul', 'b', 'a', 'nav', 'ol'])
          .sort(),
      );
      expect(html).toContain("script-src 'none'");
      expect(html).toContain(escapeHtml(HOSTILE.script));
      expect(html).toContain(`<code>${escapeHtml(`${HOSTILE.attribute}\nsecond line ${HOSTILE.separators}`)}</code>`);
    }
  });

  it('Markdown: names and prose escaped, values in code spans or fenced blocks that nothing inside can close', () => {
    const md = renderStudentMarkdown(grade, student2, { lang: 'en', disclose: 'full' });
    expect(md.split('\n')[0]).toBe(
      `# Lab report — 2024-0002" onmouseover="alert(1)" x=" · \\</script>\\<script>alert(1)\\</script>`,
    );
    expect(md).toContain(`  - Problem: \\<img src=x onerror=alert(3)>`);
    expect(md).toContain(
      [
        '  - Actual: ',
        '    ```text',
        `    ${HOSTILE.attribute}`,
        `    second line ${HOSTILE.separators}`,
        '    ```',
      ].join('\n'),
    );
    const prose = md.replace(/^ *```text\n[\s\S]*?\n *```$/gm, '').replace(/(`+) [\s\S]*? \1|(`+)[^`\n]+\2/g, '');
    expect(prose).not.toMatch(/(^|[^\\])<(script|img|!--)/m);
    expect(prose).toContain('Problem: \\<img');
  });

  it('escapeMarkdown: syntax characters escaped, one line; a line start cannot open a heading, quote or list', () => {
    expect(escapeMarkdown('*a* _b_ `c` [d](e) <f> | ~g~ \\')).toBe(
      '\\*a\\* \\_b\\_ \\`c\\` \\[d\\](e) \\<f> \\| \\~g\\~ \\\\',
    );
    expect(escapeMarkdown('a\nb\r\nc')).toBe('a b c');
    expect(escapeMarkdown('&lt; & b')).toBe('&amp;lt; & b');
    expect(escapeMarkdownLine('# heading')).toBe('\\# heading');
    expect(escapeMarkdownLine('> quote')).toBe('\\> quote');
    expect(escapeMarkdownLine('- item')).toBe('\\- item');
    expect(escapeMarkdownLine('1. item')).toBe('1\\. item');
    expect(escapeMarkdownLine('  12) item')).toBe('12\\) item');
    expect(escapeMarkdownLine('2024-0002')).toBe('2024-0002');
  });

  it('markdownCode: a fence longer than any backtick run inside; padded when the value starts or ends with one', () => {
    expect(markdownCode('ls -l')).toBe('`ls -l`');
    expect(markdownCode('a `b` c')).toBe('``a `b` c``');
    expect(markdownCode('`x')).toBe('`` `x ``');
    expect(markdownCode('one\n````\ntwo', '  ')).toBe('\n  `````text\n  one\n  ````\n  two\n  `````');
  });
});
