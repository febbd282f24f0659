import type { Status } from '../checks/check.ts';
import type { ClassGrade, CloneMatch, GradeCell, GradeColumn, GradeState, LabGrade } from '../grade/model.ts';
import {
  checkTitle,
  columnsBySection,
  formatPercent,
  formatPoints,
  formatWhen,
  sectionTitle,
  stateReason,
  studentName,
  TEXT,
  whereJudged,
  type Lang,
  type UiText,
} from './grade-text.ts';
import { escapeHtml as h, htmlPage } from './html.ts';

export interface ClassHtmlOptions {
  lang: Lang;
  /** Every run's scores (history.json), oldest first, this run included: each student's trend is drawn from it. */
  history?: ScoreHistory | undefined;
}

/** What the trend needs of history.json. */
export interface ScoreHistory {
  runs: ReadonlyArray<{ id: string; startedAt: string }>;
  students: ReadonlyArray<{
    id: string;
    scores: ReadonlyArray<{ state: GradeState; percent: number | null } | null>;
  }>;
}

/** Column widths: the table's layout is fixed, so a long section title wraps instead of widening its columns. */
const STUDENT_REM = 14;
const SCORE_REM = 7;
const CELL_REM = 1.7;

/** The symbol in each cell, so the matrix reads without colour too (a grey printer, colour blindness). */
export const STATUS_SYMBOL: Record<Status, string> = { pass: '✓', fail: '✗', skip: '–', error: '!' };

/**
 * class.html: the class scoreboard, one self-contained page (works from file://, loads nothing). Students × checks,
 * grouped by the tutorial's sections: green pass, red fail, grey not applicable, amber not judged. Sortable by score
 * and by student, filterable by student; each cell opens its expected / actual / source / fix; labs not graded or to
 * review and clone flags are listed above the matrix and marked on their rows. Prints on landscape pages.
 */
export function renderClassHtml(grade: ClassGrade, { lang, history }: ClassHtmlOptions): string {
  const text = TEXT[lang];
  const groups = columnsBySection(grade.columns);
  const ordered = groups.flatMap((g) => g.columns);
  const body = [
    header(grade, text),
    attention(grade, lang),
    controls(grade, text),
    grade.labs.length === 0 ? `<p>${h(text.scoreboard.noLabs)}</p>` : board(grade, groups, ordered, lang, history),
    detailsPanel(lang),
  ].join('\n');
  return htmlPage({
    lang,
    title: `labspec — ${text.scoreboard.title} — ${grade.run.id}`,
    css: `${CSS}#board { width: ${STUDENT_REM + SCORE_REM + ordered.length * CELL_REM}rem; }\n`,
    body,
    script: SCRIPT,
    data: { id: 'class-data', value: pageData(grade, ordered, lang) },
  });
}

function header(grade: ClassGrade, text: UiText): string {
  const s = text.scoreboard;
  const { run, rubric, summary } = grade;
  const replay = run.kind === 'replay' ? ` · ${h(s.replay)} <code>${h(run.gatheredBy)}</code>` : '';
  const stat = (label: string, value: string, kind = '') =>
    `<li class="${kind}"><span class="value">${h(value)}</span> ${h(label)}</li>`;
  return `<header class="top">
<h1>labspec · ${h(s.title)}</h1>
<p class="meta">${h(s.run)} <code>${h(run.id)}</code>${replay} · ${h(s.started)} ${h(formatWhen(run.startedAt))} · ${h(s.rubric)}: ${h(rubric.source)}, /${h(formatPoints(rubric.gradeScale))}</p>
${run.filter === null ? '' : `<p class="meta">${h(s.filterApplied(run.filter))}</p>`}
<ul class="summary">
${stat(s.students, String(summary.labs))}
${stat(s.graded, String(summary.graded))}
${stat(s.mean, formatPercent(summary.meanPercent))}
${stat(s.notGraded, String(summary.notGraded), summary.notGraded > 0 ? 'warn' : '')}
${stat(s.flagged, String(summary.flagged), summary.flagged > 0 ? 'warn' : '')}
${stat(s.clones, String(summary.clones), summary.clones > 0 ? 'clone' : '')}
</ul>
</header>`;
}

/** The labs an instructor must follow up, and the clone groups, before the matrix: seen at a glance. */
function attention(grade: ClassGrade, lang: Lang): string {
  const text = TEXT[lang];
  const s = text.scoreboard;
  const pending = grade.labs.filter((l) => l.state !== 'graded');
  if (pending.length === 0 && grade.cloneGroups.length === 0) return '';
  const pendingItems = pending.map(
    (lab) =>
      `<li class="state-${lab.state}"><span class="badge state-${lab.state}">${h(text.state[lab.state])}</span> <b>${h(lab.student.id)}</b> ${h(studentName(lab))} — ${h(stateReason(lab, lang))}</li>`,
  );
  const groupItems = grade.cloneGroups.map(
    (group) =>
      `<li><span class="badge clone">${h(text.clone)}</span> ${h(text.fact[group.fact])} <code class="value">${h(group.value)}</code> — ${group.members
        .map((m) => `<b>${h(m.id)}</b>/${h(m.host)}`)
        .join(', ')}</li>`,
  );
  return `<section class="attention">
${pendingItems.length > 0 ? `<h2>${h(s.needsAttention)}</h2>\n<ul>${pendingItems.join('\n')}</ul>` : ''}
${groupItems.length > 0 ? `<h2>${h(s.cloneGroups)}</h2>\n<ul>${groupItems.join('\n')}</ul>` : ''}
</section>`;
}

function controls(grade: ClassGrade, text: UiText): string {
  const s = text.scoreboard;
  const total = String(grade.labs.length);
  const swatch = (status: Status) =>
    `<span class="swatch s-${status}">${STATUS_SYMBOL[status]}</span> ${h(text.status[status])}`;
  return `<div class="controls">
<label for="filter">${h(s.filter)}</label>
<input id="filter" type="search" autocomplete="off" placeholder="${h(s.filterPlaceholder)}">
<output id="shown" for="filter">${h(s.shown(total, total))}</output>
<span class="legend" aria-label="${h(s.legend)}">${(['pass', 'fail', 'skip', 'error'] as const).map(swatch).join(' ')} <span class="badge clone">${h(text.clone)}</span></span>
</div>`;
}

function board(
  grade: ClassGrade,
  groups: ReturnType<typeof columnsBySection>,
  ordered: readonly GradeColumn[],
  lang: Lang,
  history: ScoreHistory | undefined,
): string {
  const text = TEXT[lang];
  const s = text.scoreboard;
  const trendOf = new Map((history?.runs.length ?? 0) > 1 ? history!.students.map((st) => [st.id, st.scores]) : []);
  const sectionRow = groups
    .map(
      (g) =>
        `<th scope="colgroup" colspan="${g.columns.length}" class="section" title="${h(`${text.tutorial}: ${g.section.tutorial}`)}">${h(sectionTitle(g.section, lang))}</th>`,
    )
    .join('');
  const checkRow = ordered
    .map(
      (c) =>
        `<th scope="col" class="check" data-key="${h(c.key)}" title="${h(`${whereJudged(c, lang)} · ${checkTitle(c, lang)} (${formatPoints(c.points)} ${text.points})`)}"><span>${h(c.host ?? 'lab')} › ${h(c.check)}</span></th>`,
    )
    .join('');
  const rows = grade.labs.map((lab, index) =>
    row(lab, index, ordered, lang, trend(history, trendOf.get(lab.student.id), lang)),
  );
  return `<div class="board-wrap">
<table id="board">
<colgroup><col class="student"><col class="score">${'<col class="c">'.repeat(ordered.length)}</colgroup>
<thead>
<tr><th rowspan="2" scope="col" class="student" aria-sort="none"><button type="button" data-sort="student" title="${h(s.sortHint)}">${h(s.student)}</button></th><th rowspan="2" scope="col" class="score" aria-sort="none"><button type="button" data-sort="score" title="${h(s.sortHint)}">${h(text.score)}</button></th>${sectionRow}</tr>
<tr>${checkRow}</tr>
</thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</div>`;
}

function row(lab: LabGrade, index: number, ordered: readonly GradeColumn[], lang: Lang, trendSvg: string): string {
  const text = TEXT[lang];
  const cellOf = new Map(lab.cells.map((c) => [c.key, c]));
  const name = studentName(lab);
  const search = [lab.student.id, name, ...lab.student.members, lab.student.lmsId ?? ''].join(' ').toLowerCase();
  const sortScore = lab.state === 'graded' && lab.percent !== null ? String(lab.percent) : '';
  const badges = [
    lab.state === 'graded'
      ? ''
      : `<span class="badge state-${lab.state}" title="${h(stateReason(lab, lang))}">${h(text.state[lab.state])}</span>`,
    lab.clones.length === 0
      ? ''
      : `<span class="badge clone" title="${h(cloneSummary(lab.clones, text))}">${h(text.clone)}</span>`,
  ].join('');
  const cells = ordered.map((column) => cell(column, cellOf.get(column.key), lang)).join('');
  const classes = [`state-${lab.state}`, lab.clones.length > 0 ? 'has-clone' : ''].filter(Boolean).join(' ');
  return `<tr class="${classes}" data-index="${index}" data-id="${h(lab.student.id)}" data-score="${sortScore}" data-search="${h(search)}"><th scope="row" class="student"><a class="id" href="students/${h(encodeURIComponent(lab.fileName))}.html" title="${h(TEXT[lang].scoreboard.report)}">${h(lab.student.id)}</a>${name ? ` <span class="name">${h(name)}</span>` : ''}${badges}</th>${score(lab, text, trendSvg)}${cells}</tr>`;
}

function score(lab: LabGrade, text: UiText, trendSvg: string): string {
  const points = `${formatPoints(lab.earned)}/${formatPoints(lab.possible)}`;
  if (lab.state === 'not-graded') {
    return `<td class="score"><b>—</b><small>${h(text.scoreboard.readOnly(formatPoints(lab.earned), formatPoints(lab.possible)))}</small>${trendSvg}</td>`;
  }
  const grade = lab.grade === null ? '' : ` · ${formatPoints(lab.grade)}`;
  const penalty = lab.penalty === null ? '' : ` title="${h(lab.penalty)}"`;
  return `<td class="score"${penalty}><b>${h(formatPercent(lab.percent))}</b><small>${h(points)}${h(grade)}</small>${trendSvg}</td>`;
}

const TREND = { width: 72, height: 18, pad: 2 };

/**
 * The student's percent across runs as a small inline SVG line, oldest run on the left; a run that did not grade the
 * student leaves a gap, and one where the lab was not graded or flagged is an amber dot on the baseline.
 */
function trend(
  history: ScoreHistory | undefined,
  scores: ScoreHistory['students'][number]['scores'] | undefined,
  lang: Lang,
): string {
  if (history === undefined || scores === undefined || history.runs.length < 2) return '';
  const text = TEXT[lang];
  const { width, height, pad } = TREND;
  const round = (v: number) => Math.round(v * 10) / 10;
  const x = (i: number) => round(pad + (i * (width - 2 * pad)) / (history.runs.length - 1));
  const y = (percent: number) => round(pad + ((100 - percent) * (height - 2 * pad)) / 100);
  const lines: string[] = [];
  let current: string[] = [];
  const dots: string[] = [];
  scores.forEach((score, i) => {
    if (score === null || score.state !== 'graded' || score.percent === null) {
      if (current.length > 0) lines.push(current.join(' '));
      current = [];
      if (score !== null) dots.push(`<circle class="t-pending" cx="${x(i)}" cy="${height - pad}" r="1.8"/>`);
      return;
    }
    current.push(`${x(i)},${y(score.percent)}`);
    if (i === scores.length - 1) dots.push(`<circle class="t-last" cx="${x(i)}" cy="${y(score.percent)}" r="2"/>`);
  });
  if (current.length > 0) lines.push(current.join(' '));
  const told = history.runs
    .map((run, i) => {
      const score = scores[i];
      const value =
        score === null || score === undefined
          ? '—'
          : score.state === 'graded'
            ? formatPercent(score.percent)
            : text.state[score.state];
      return `${formatWhen(run.startedAt)}: ${value}`;
    })
    .join('\n');
  const polylines = lines.map((points) => `<polyline points="${points}"/>`).join('');
  return `<svg class="trend" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><title>${h(told)}</title><line class="t-base" x1="${pad}" x2="${width - pad}" y1="${height - pad}" y2="${height - pad}"/>${polylines}${dots.join('')}</svg>`;
}

function cell(column: GradeColumn, cell: GradeCell | undefined, lang: Lang): string {
  const text = TEXT[lang];
  if (cell === undefined) return `<td class="c absent" title="${h(text.absent)}"></td>`;
  const label = `${whereJudged(column, lang)} · ${checkTitle(column, lang)}: ${text.status[cell.status]}`;
  return `<td class="c s-${cell.status}"><button type="button" data-key="${h(column.key)}" aria-label="${h(label)}">${STATUS_SYMBOL[cell.status]}</button></td>`;
}

function cloneSummary(clones: readonly CloneMatch[], text: UiText): string {
  return clones
    .map((c) => `${text.fact[c.fact]} (${c.host}) = ${c.others.map((o) => `${o.id}/${o.host}`).join(', ')}`)
    .join('; ');
}

/**
 * The fields a cell opens, in reading order. In Korean, the check's Korean words lead (문제, 수정 방법) and the
 * verdict's own English message and fix follow as its details; the values (expected, actual, source) are the hosts'.
 */
function detailFields(lang: Lang): Array<{ field: DetailField; label: string }> {
  const text = TEXT[lang];
  return lang === 'ko'
    ? [
        { field: 'hint', label: text.problem },
        { field: 'message', label: text.detail },
        { field: 'expected', label: text.expected },
        { field: 'actual', label: text.actual },
        { field: 'source', label: text.source },
        { field: 'fixKo', label: text.fix },
        { field: 'fix', label: text.fixHere },
      ]
    : [
        { field: 'message', label: text.problem },
        { field: 'hint', label: text.hint },
        { field: 'expected', label: text.expected },
        { field: 'actual', label: text.actual },
        { field: 'source', label: text.source },
        { field: 'fix', label: text.fix },
      ];
}

type DetailField = 'hint' | 'message' | 'expected' | 'actual' | 'source' | 'fixKo' | 'fix';

function detailsPanel(lang: Lang): string {
  const fields = detailFields(lang).map(
    ({ field, label }) =>
      `<div class="field" data-field="${field}"><dt>${h(label)}</dt><dd id="d-${field}"></dd></div>`,
  );
  return `<aside id="details" role="dialog" aria-labelledby="d-title" hidden>
<button type="button" id="details-close">${h(TEXT[lang].close)}</button>
<p class="who" id="d-student"></p>
<h2 id="d-title"></h2>
<p><span id="d-status" class="badge"></span> <span id="d-points"></span></p>
<dl>
${fields.join('\n')}
</dl>
</aside>`;
}

/** What the page's script needs to open a cell: per lab, per column key, the verdict; per column, its words. */
function pageData(grade: ClassGrade, ordered: readonly GradeColumn[], lang: Lang) {
  const text = TEXT[lang];
  const generalFix = new Map(ordered.map((c) => [c.key, c.fix]));
  return {
    lang,
    shown: text.scoreboard.shown('{shown}', '{total}'),
    status: text.status,
    pointsLabel: text.points,
    columns: Object.fromEntries(
      ordered.map((c) => [
        c.key,
        {
          title: `${whereJudged(c, lang)} › ${checkTitle(c, lang)}`,
          check: c.check,
          hint: lang === 'ko' ? c.hintKo : c.hint,
          fixKo: lang === 'ko' ? c.fixKo : '',
        },
      ]),
    ),
    labs: grade.labs.map((lab) => ({
      id: lab.student.id,
      name: studentName(lab),
      cells: Object.fromEntries(
        lab.cells.map((c) => [
          c.key,
          {
            status: c.status,
            points: c.points,
            earned: c.earned,
            counted: c.counted,
            message: c.message,
            expected: c.expected,
            actual: c.actual,
            source: c.source,
            // In Korean the check's Korean remedy comes first; its general fix again, in English, adds nothing.
            fix: lang === 'ko' && c.fix === generalFix.get(c.key) ? '' : c.fix,
          },
        ]),
      ),
    })),
  };
}

const CSS = `
:root { --pass: #1f883d; --fail: #cf222e; --skip: #8c959f; --error: #bf8700; --clone: #8250df; --line: #d0d7de;
  --muted: #57606a; font-family: system-ui, "Noto Sans", "NanumGothic", "Apple SD Gothic Neo", "Malgun Gothic", sans-serif; }
body { margin: 1rem; color: #1f2328; background: #fff; font-size: 14px; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
h2 { font-size: 1.05rem; margin: .75rem 0 .25rem; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .9em; overflow-wrap: anywhere; }
.meta { color: var(--muted); margin: .1rem 0; }
.summary { display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; list-style: none; padding: 0; margin: .5rem 0; }
.summary .value { font-weight: 700; font-size: 1.15rem; }
.summary .warn .value { color: var(--error); }
.summary .clone .value { color: var(--clone); }
.attention { border: 1px solid var(--line); border-left: 4px solid var(--error); padding: .25rem .75rem; margin: .5rem 0; }
.attention ul { margin: .25rem 0; padding-left: 1.2rem; }
.attention li { margin: .15rem 0; }
.badge { display: inline-block; padding: 0 .4em; margin-left: .35em; border-radius: 1em; font-size: .75em; font-weight: 600;
  color: #fff; background: var(--muted); white-space: nowrap; vertical-align: middle; }
.badge.state-not-graded, .badge.state-flagged, .badge.s-error { background: var(--error); }
.badge.clone { background: var(--clone); }
.badge.s-pass { background: var(--pass); } .badge.s-fail { background: var(--fail); } .badge.s-skip { background: var(--skip); }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; margin: .75rem 0 .5rem; }
.controls input { font: inherit; padding: .2rem .4rem; min-width: 14rem; }
.controls output { color: var(--muted); }
.legend { margin-left: auto; }
.swatch { display: inline-block; width: 1.3em; height: 1.3em; line-height: 1.3em; text-align: center; color: #fff; border-radius: 3px; }
.board-wrap { overflow: auto; max-height: 78vh; border: 1px solid var(--line); }
#board { border-collapse: separate; border-spacing: 0; table-layout: fixed; }
col.student { width: ${STUDENT_REM}rem; } col.score { width: ${SCORE_REM}rem; } col.c { width: ${CELL_REM}rem; }
th, td { border-bottom: 1px solid var(--line); border-right: 1px solid var(--line); padding: 0; }
thead th { position: sticky; top: 0; background: #f6f8fa; z-index: 2; }
thead tr:nth-child(2) th { top: 3.2rem; }
th.section { height: 3.2rem; padding: .1rem .3rem; font-size: .72rem; line-height: 1.15; text-align: left; vertical-align: bottom;
  overflow: hidden; word-break: keep-all; overflow-wrap: anywhere; }
th.check { vertical-align: bottom; padding: .3rem 0; }
th.check span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; font-size: .72rem; font-weight: 500;
  font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
th.student, th.score { position: sticky; left: 0; z-index: 1; background: #fff; text-align: left; padding: .2rem .5rem; }
thead th.student, thead th.score { z-index: 3; background: #f6f8fa; }
th.student { overflow-wrap: anywhere; }
td.score, th.score { left: ${STUDENT_REM}rem; }
td.score { position: sticky; z-index: 1; background: #fff; padding: .2rem .5rem; white-space: nowrap; text-align: right; }
td.score small, th.student .name { display: block; white-space: normal; color: var(--muted); font-size: .75em; font-weight: 400; }
th.student .id { font-weight: 700; color: inherit; }
thead button { font: inherit; font-weight: 700; background: none; border: 0; padding: 0; cursor: pointer; }
th[aria-sort="ascending"] button::after { content: " ▲"; }
th[aria-sort="descending"] button::after { content: " ▼"; }
tr.state-not-graded th.student, tr.state-flagged th.student { box-shadow: inset 4px 0 var(--error); }
tr.has-clone th.student { box-shadow: inset 4px 0 var(--clone); }
td.c { height: 1.6rem; text-align: center; }
td.c button { width: 100%; height: 100%; min-height: 1.6rem; border: 0; color: #fff; font-weight: 700; cursor: pointer; font-size: .85rem; }
.s-pass, td.s-pass button { background: var(--pass); }
.s-fail, td.s-fail button { background: var(--fail); }
.s-skip, td.s-skip button { background: var(--skip); }
.s-error, td.s-error button { background: var(--error); }
td.absent { background: repeating-linear-gradient(45deg, #f6f8fa, #f6f8fa 3px, #eaeef2 3px, #eaeef2 6px); }
td.c button:focus-visible, td.c button.open { outline: 3px solid #0969da; outline-offset: -3px; }
.trend { display: block; margin: .1rem 0 0 auto; overflow: visible; }
.trend polyline { fill: none; stroke: #0969da; stroke-width: 1.5; }
.trend .t-base { stroke: var(--line); stroke-width: 1; }
.trend .t-last { fill: #0969da; } .trend .t-pending { fill: var(--error); }
#details { position: fixed; right: 1rem; top: 1rem; bottom: 1rem; width: min(34rem, 92vw); overflow: auto; background: #fff;
  border: 1px solid var(--line); box-shadow: 0 8px 24px rgba(140, 149, 159, .4); padding: .75rem 1rem; z-index: 10; }
#details h2 { margin-top: .25rem; }
#details .who { margin: 0; color: var(--muted); }
#details dl { margin: 0; }
#details dt { font-weight: 700; margin-top: .6rem; }
#details dd { margin: .15rem 0 0; white-space: pre-wrap; overflow-wrap: anywhere; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .85rem; }
#details dd#d-hint, #details dd#d-fixKo, html[lang="en"] #details dd#d-message { font-family: inherit; font-size: inherit; }
#details-close { float: right; font: inherit; }
@page { size: A4 landscape; margin: 8mm; }
@media print {
  html { font-size: 9px; }
  body { margin: 0; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .controls, #details { display: none !important; }
  .board-wrap { overflow: visible; max-height: none; border: 0; }
  thead th, th.student, th.score, td.score { position: static; }
  tr { break-inside: avoid; }
}
`;

const SCRIPT = `
(() => {
  const data = JSON.parse(document.getElementById('class-data').textContent);
  const table = document.getElementById('board');
  if (!table) return;
  const tbody = table.tBodies[0];
  const rows = Array.from(tbody.rows);
  const filter = document.getElementById('filter');
  const shown = document.getElementById('shown');

  function applyFilter() {
    const query = filter.value.trim().toLowerCase();
    let count = 0;
    for (const row of rows) {
      const hit = query === '' || row.dataset.search.includes(query);
      row.hidden = !hit;
      if (hit) count++;
    }
    shown.textContent = data.shown.replace('{shown}', String(count)).replace('{total}', String(rows.length));
  }
  filter.addEventListener('input', applyFilter);

  const byId = (a, b) => a.dataset.id.localeCompare(b.dataset.id, undefined, { numeric: true });
  let sorted = { key: null, direction: 0 };
  function sortBy(key) {
    const direction = sorted.key === key ? -sorted.direction : key === 'score' ? -1 : 1;
    sorted = { key, direction };
    const scoreOf = (row) => (row.dataset.score === '' ? null : Number(row.dataset.score));
    const ordered = rows.slice().sort((a, b) => {
      if (key === 'student') return direction * byId(a, b);
      const x = scoreOf(a);
      const y = scoreOf(b);
      if (x === null || y === null) return x === y ? byId(a, b) : x === null ? 1 : -1;
      return x === y ? byId(a, b) : direction * (x - y);
    });
    tbody.append(...ordered);
    for (const th of table.querySelectorAll('thead th[aria-sort]')) {
      const mine = th.querySelector('button').dataset.sort === key;
      th.setAttribute('aria-sort', mine ? (direction > 0 ? 'ascending' : 'descending') : 'none');
    }
  }
  for (const button of table.querySelectorAll('thead button[data-sort]')) {
    button.addEventListener('click', () => sortBy(button.dataset.sort));
  }

  const details = document.getElementById('details');
  const closeButton = document.getElementById('details-close');
  let open = null;
  function show(button) {
    const lab = data.labs[Number(button.closest('tr').dataset.index)];
    const column = data.columns[button.dataset.key];
    const cell = lab.cells[button.dataset.key];
    document.getElementById('d-student').textContent = lab.name ? lab.id + ' · ' + lab.name : lab.id;
    document.getElementById('d-title').textContent = column.title;
    const status = document.getElementById('d-status');
    status.textContent = data.status[cell.status];
    status.className = 'badge s-' + cell.status;
    document.getElementById('d-points').textContent =
      data.pointsLabel + ': ' + (cell.counted ? cell.earned + '/' + cell.points : '— (' + cell.points + ')');
    const failed = cell.status === 'fail';
    const values = { ...cell, hint: failed ? column.hint : '', fixKo: failed ? column.fixKo : '' };
    for (const box of details.querySelectorAll('[data-field]')) {
      const value = values[box.dataset.field];
      box.querySelector('dd').textContent = value;
      box.hidden = value === '';
    }
    if (open) open.classList.remove('open');
    open = button;
    button.classList.add('open');
    details.hidden = false;
    closeButton.focus();
  }
  function close() {
    details.hidden = true;
    if (open) {
      open.classList.remove('open');
      open.focus();
      open = null;
    }
  }
  tbody.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-key]');
    if (button) show(button);
  });
  closeButton.addEventListener('click', close);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !details.hidden) close();
  });
})();
`;
