import type { Status } from '../checks/check.ts';
import type { ClassGrade, GradeCell, GradeColumn, LabGrade } from '../grade/model.ts';
import { STATUS_SYMBOL } from './class-html.ts';
import {
  checkTitle,
  columnsBySection,
  formatPercent,
  formatPoints,
  formatWhen,
  sectionTitle,
  studentName,
  TEXT,
  whereJudged,
  type Disclosure,
  type Lang,
} from './grade-text.ts';
import { escapeHtml as h, htmlPage } from './html.ts';
import type { ReportFiles } from './report-set.ts';
import { escapeMarkdown as md, escapeMarkdownLine as mdLine, markdownCode } from './markdown.ts';

export interface StudentReportOptions {
  lang: Lang;
  disclose: Disclosure;
}

/** One labelled line under a check: prose in the report's language, or a value shown literally (`code`). */
interface Line {
  label: string;
  value: string;
  code: boolean;
}

interface Item {
  /** The element id of the check in the HTML report, for the list of what to fix. */
  anchor: string;
  status: Status;
  where: string;
  title: string;
  statusLabel: string;
  lines: Line[];
}

interface SectionView {
  title: string;
  tutorial: string;
  earned: number;
  possible: number;
  items: Item[];
}

/** What a student's report says, decided once; the HTML and the Markdown only lay it out. */
interface ReportView {
  lang: Lang;
  title: string;
  student: string;
  run: string;
  /** The score line, or null when the lab is not graded. */
  score: string | null;
  grade: string | null;
  intro: string;
  notices: string[];
  /** The failed checks, in the tutorial's order: what the student has to fix, listed first. */
  toFix: Item[];
  sections: SectionView[];
}

/** Every student's report, as HTML and Markdown: `students/<file>.html` and `students/<file>.md`. */
export function studentReportFiles(grade: ClassGrade, options: StudentReportOptions): ReportFiles {
  return grade.labs.flatMap((lab) => [
    { name: `students/${lab.fileName}.html`, content: () => renderStudentHtml(grade, lab, options) },
    { name: `students/${lab.fileName}.md`, content: () => renderStudentMarkdown(grade, lab, options) },
  ]);
}

/** `students/<file>.html`: one student's checks grouped by the tutorial's sections, with what to fix. */
export function renderStudentHtml(grade: ClassGrade, lab: LabGrade, options: StudentReportOptions): string {
  const view = reportView(grade, lab, options);
  const text = TEXT[options.lang];
  const line = (l: Line) =>
    `<div class="line"><dt>${h(l.label)}</dt><dd>${l.code ? `<code>${h(l.value)}</code>` : h(l.value)}</dd></div>`;
  const item = (i: Item) =>
    `<li class="item s-${i.status}" id="${i.anchor}"><p class="check"><span class="mark s-${i.status}" aria-hidden="true">${STATUS_SYMBOL[i.status]}</span> <span class="where">${h(i.where)}</span> › ${h(i.title)} <span class="status">${h(i.statusLabel)}</span></p>${i.lines.length > 0 ? `<dl>${i.lines.map(line).join('')}</dl>` : ''}</li>`;
  const section = (s: SectionView) =>
    `<section><h2>${h(s.title)} <span class="points">${h(text.report.sectionPoints(formatPoints(s.earned), formatPoints(s.possible)))}</span></h2>
<p class="tutorial">${h(text.tutorial)}: ${h(s.tutorial)}</p>
${s.items.length > 0 ? `<ul>${s.items.map(item).join('\n')}</ul>` : ''}
</section>`;
  const body = `<header>
<h1>${h(view.title)}</h1>
<p class="student">${h(view.student)}</p>
<p class="meta">${h(view.run)}</p>
${view.score === null ? '' : `<p class="score">${h(text.score)}: <b>${h(view.score)}</b>${view.grade === null ? '' : ` · ${h(text.grade)}: <b>${h(view.grade)}</b>`}</p>`}
</header>
<p>${h(view.intro)}</p>
${view.notices.map((n) => `<p class="notice">${h(n)}</p>`).join('\n')}
${
  view.toFix.length === 0
    ? ''
    : `<nav class="tofix" aria-labelledby="tofix"><h2 id="tofix">${h(text.report.toFix(view.toFix.length))}</h2><ol>${view.toFix
        .map((i) => `<li><a href="#${i.anchor}">${h(i.where)} › ${h(i.title)}</a></li>`)
        .join('')}</ol></nav>`
}
${view.sections.map(section).join('\n')}`;
  return htmlPage({ lang: options.lang, title: `${view.title} — ${view.student}`, css: CSS, body });
}

/** `students/<file>.md`: the same report as Markdown, for an LMS message or a repository. */
export function renderStudentMarkdown(grade: ClassGrade, lab: LabGrade, options: StudentReportOptions): string {
  const view = reportView(grade, lab, options);
  const text = TEXT[options.lang];
  const out = [`# ${md(view.title)} — ${md(view.student)}`, '', mdLine(view.run), ''];
  if (view.score !== null) {
    const gradePart = view.grade === null ? '' : ` · **${md(text.grade)}:** ${md(view.grade)}`;
    out.push(`**${md(text.score)}:** ${md(view.score)}${gradePart}`, '');
  }
  out.push(mdLine(view.intro), '');
  for (const notice of view.notices) out.push(`> ${md(notice)}`, '');
  if (view.toFix.length > 0) {
    out.push(`## ${md(text.report.toFix(view.toFix.length))}`, '');
    view.toFix.forEach((i, n) => out.push(`${n + 1}. ${md(i.where)} › ${md(i.title)}`));
    out.push('');
  }
  for (const s of view.sections) {
    out.push(
      `## ${md(s.title)} (${md(text.report.sectionPoints(formatPoints(s.earned), formatPoints(s.possible)))})`,
      '',
    );
    out.push(`${md(text.tutorial)}: ${md(s.tutorial)}`, '');
    for (const i of s.items) {
      out.push(`- ${STATUS_SYMBOL[i.status]} ${md(i.where)} › ${md(i.title)} — **${md(i.statusLabel)}**`);
      for (const l of i.lines) out.push(`  - ${md(l.label)}: ${l.code ? markdownCode(l.value, '    ') : md(l.value)}`);
    }
    if (s.items.length > 0) out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function reportView(grade: ClassGrade, lab: LabGrade, { lang, disclose }: StudentReportOptions): ReportView {
  const text = TEXT[lang];
  const r = text.report;
  const cellOf = new Map(lab.cells.map((c) => [c.key, c]));
  const name = studentName(lab);
  const notices: string[] = [];
  if (lab.state === 'not-graded') {
    notices.push(r.notGraded);
    for (const host of lab.hosts.filter((x) => !x.read)) notices.push(r.unreachableHost(host.host, host.reason ?? ''));
  }
  if (lab.state === 'flagged') notices.push(r.flagged(lab.cells.filter((c) => c.cause === 'unreadable').length));
  if (lab.penalty !== null) notices.push(r.clonePenalty);
  if (disclose === 'score') notices.push(r.scoreOnly);
  if (disclose === 'hints') notices.push(r.hintsOnly);

  let anchors = 0;
  const sections = columnsBySection(grade.columns.filter((c) => cellOf.has(c.key))).map(
    ({ section, columns }): SectionView => {
      const cells = columns.map((column) => ({ column, cell: cellOf.get(column.key)! }));
      const counted = cells.filter(({ cell }) => cell.counted);
      return {
        title: sectionTitle(section, lang),
        tutorial: section.tutorial,
        earned: counted.reduce((n, { cell }) => n + cell.earned, 0),
        possible: counted.reduce((n, { cell }) => n + cell.points, 0),
        items:
          disclose === 'score'
            ? []
            : cells
                // A host that could not be read is said once, in the notices, not under each of its checks.
                .filter(({ cell }) => cell.status !== 'skip' && cell.cause !== 'unreachable')
                .map(({ column, cell }) => itemOf(`check-${++anchors}`, column, cell, lang, disclose)),
      };
    },
  );
  const graded = lab.state !== 'not-graded';
  return {
    lang,
    title: r.title,
    student: name ? `${lab.student.id} · ${name}` : lab.student.id,
    run: r.run(grade.run.id, formatWhen(grade.run.startedAt)),
    score: graded ? r.outOf(formatPoints(lab.earned), formatPoints(lab.possible), formatPercent(lab.percent)) : null,
    grade: lab.grade === null ? null : r.gradeOf(formatPoints(lab.grade), formatPoints(grade.rubric.gradeScale)),
    intro: r.intro,
    notices,
    toFix: sections.flatMap((s) => s.items.filter((i) => i.status === 'fail')),
    sections,
  };
}

/** One check of the report, giving away as much as `disclose` allows. */
function itemOf(anchor: string, column: GradeColumn, cell: GradeCell, lang: Lang, disclose: Disclosure): Item {
  const text = TEXT[lang];
  const prose = (label: string, value: string): Line[] => (value === '' ? [] : [{ label, value, code: false }]);
  const literal = (label: string, value: string): Line[] => (value === '' ? [] : [{ label, value, code: true }]);
  /** The check's own message is English: in Korean it is the detail under the Korean words. */
  const message = lang === 'ko' ? literal(text.detail, cell.message) : prose(text.problem, cell.message);
  let lines: Line[] = [];
  let statusLabel = text.status[cell.status];
  if (cell.status === 'fail') {
    const problem = lang === 'ko' ? [...prose(text.problem, column.hintKo), ...message] : message;
    lines =
      disclose === 'full'
        ? [
            ...problem,
            ...literal(text.expected, cell.expected),
            ...literal(text.actual, cell.actual),
            ...literal(text.source, cell.source),
            ...(lang === 'ko'
              ? // The Korean remedy says what the check's general fix says; the verdict's own fix only when it says more.
                [...prose(text.fix, column.fixKo), ...literal(text.fixHere, cell.fix === column.fix ? '' : cell.fix)]
              : literal(text.fix, cell.fix)),
          ]
        : [...problem, ...(lang === 'en' ? prose(text.hint, column.hint) : [])];
  } else if (cell.status === 'error') {
    const why = cell.cause === 'unreachable' ? text.report.unreachable : text.report.unreadable;
    lines = [...prose(text.problem, why), ...literal(text.detail, cell.message)];
  } else if (cell.status === 'pass' && cell.message !== '') {
    statusLabel = text.report.passedWithNote;
    lines = lang === 'ko' ? literal(text.detail, cell.message) : prose(text.detail, cell.message);
  }
  return {
    anchor,
    status: cell.status,
    where: whereJudged(column, lang),
    title: checkTitle(column, lang),
    statusLabel,
    lines,
  };
}

const CSS = `
:root { --pass: #1f883d; --fail: #cf222e; --skip: #8c959f; --error: #bf8700; --line: #d0d7de; --muted: #57606a;
  font-family: system-ui, "Noto Sans", "NanumGothic", "Apple SD Gothic Neo", "Malgun Gothic", sans-serif; }
body { max-width: 52rem; margin: 1.5rem auto; padding: 0 1rem; color: #1f2328; line-height: 1.5; }
h1 { font-size: 1.5rem; margin-bottom: 0; }
h2 { font-size: 1.15rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; margin-top: 1.6rem; }
h2 .points { float: right; font-weight: 500; color: var(--muted); }
.student { font-size: 1.1rem; margin: .2rem 0; }
.meta, .tutorial { color: var(--muted); margin: .2rem 0; }
.score { font-size: 1.1rem; }
.tofix { border: 1px solid var(--line); border-left: 4px solid var(--fail); padding: .1rem 1rem .4rem; margin: 1rem 0; }
.tofix h2 { border: 0; margin: .5rem 0 .2rem; font-size: 1.05rem; }
.tofix ol { margin: 0; padding-left: 1.4rem; }
.tofix a { color: inherit; }
.notice { border-left: 4px solid var(--error); background: #fff8c5; padding: .4rem .75rem; }
ul { list-style: none; padding: 0; }
.item { margin: .5rem 0; padding: .35rem .6rem; border: 1px solid var(--line); border-radius: 6px; break-inside: avoid; }
.item.s-pass { border-color: transparent; padding-top: 0; padding-bottom: 0; margin: .1rem 0; }
.item.s-fail { border-left: 4px solid var(--fail); }
.item.s-error { border-left: 4px solid var(--error); }
.item .check { margin: 0; }
.mark { display: inline-block; width: 1.3em; text-align: center; color: #fff; border-radius: 3px; font-weight: 700; }
.mark.s-pass { background: var(--pass); } .mark.s-fail { background: var(--fail); }
.mark.s-error { background: var(--error); } .mark.s-skip { background: var(--skip); }
.where { color: var(--muted); }
.status { color: var(--muted); font-size: .85em; }
dl { margin: .3rem 0 0 1.8rem; }
.line { display: grid; grid-template-columns: minmax(7rem, max-content) 1fr; gap: .6rem; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .9em; background: #f6f8fa; padding: 0 .2em; white-space: pre-wrap; }
@media print { * { -webkit-print-color-adjust: exact; print-color-adjust: exact; } body { margin: 0; max-width: none; } }
`;
