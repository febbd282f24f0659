import { SECTIONS, sectionOf, type Section } from '../checks/registry.ts';
import type { SectionId, Status } from '../checks/check.ts';
import type { CloneFact, GradeColumn, GradeState, LabGrade } from '../grade/model.ts';

/** The languages of the class scoreboard and the student reports. */
export const LANGS = ['en', 'ko'] as const;
export type Lang = (typeof LANGS)[number];

/**
 * How much a student report gives away: `full` (expected, actual, where it was read, the fix), `hints` (what is
 * wrong and where to look, no command), `score` (the score and each section's points only).
 */
export const DISCLOSURES = ['full', 'hints', 'score'] as const;
export type Disclosure = (typeof DISCLOSURES)[number];

/** Every word the scoreboard and the student reports print around the verdicts' own values. */
export interface UiText {
  status: Record<Status, string>;
  /** A column the lab does not have (another lab's host). */
  absent: string;
  state: Record<GradeState, string>;
  clone: string;
  fact: Record<CloneFact, string>;
  expected: string;
  actual: string;
  source: string;
  problem: string;
  /** The check's own message, when the report's language is not the message's. */
  detail: string;
  fix: string;
  /** The outcome's fix when it is more precise than the check's general one. */
  fixHere: string;
  hint: string;
  points: string;
  score: string;
  grade: string;
  tutorial: string;
  lab: string;
  close: string;
  scoreboard: {
    title: string;
    run: string;
    replay: string;
    started: string;
    rubric: string;
    students: string;
    graded: string;
    mean: string;
    notGraded: string;
    flagged: string;
    clones: string;
    filter: string;
    filterPlaceholder: string;
    shown: (shown: string, total: string) => string;
    student: string;
    sortHint: string;
    legend: string;
    cloneGroups: string;
    needsAttention: string;
    readOnly: (earned: string, possible: string) => string;
    noLabs: string;
    filterApplied: (pattern: string) => string;
    /** The link from a student to their report. */
    report: string;
  };
  report: {
    title: string;
    intro: string;
    outOf: (earned: string, possible: string, percent: string) => string;
    gradeOf: (grade: string, scale: string) => string;
    notGraded: string;
    unreachableHost: (host: string, reason: string) => string;
    flagged: (count: number) => string;
    clonePenalty: string;
    sectionPoints: (earned: string, possible: string) => string;
    scoreOnly: string;
    hintsOnly: string;
    unreadable: string;
    unreachable: string;
    passedWithNote: string;
    run: (id: string, when: string) => string;
    toFix: (count: number) => string;
  };
}

const EN: UiText = {
  status: { pass: 'passed', fail: 'failed', error: 'not judged (error)', skip: 'not applicable' },
  absent: 'not part of this lab',
  state: { graded: 'graded', 'not-graded': 'not graded', flagged: 'flagged' },
  clone: 'clone',
  fact: { hostKey: 'SSH host key', machineId: 'machine-id', mac: 'MAC address', rootFsUuid: 'root filesystem UUID' },
  expected: 'Expected',
  actual: 'Actual',
  source: 'Where it was read',
  problem: 'Problem',
  detail: 'Details',
  fix: 'How to fix',
  fixHere: 'For this host',
  hint: 'Hint',
  points: 'Points',
  score: 'Score',
  grade: 'Grade',
  tutorial: 'Tutorial',
  lab: 'the lab as a whole',
  close: 'Close',
  scoreboard: {
    title: 'Class scoreboard',
    run: 'Run',
    replay: 'replayed from',
    started: 'started',
    rubric: 'rubric',
    students: 'Students',
    graded: 'Graded',
    mean: 'Mean',
    notGraded: 'Not graded',
    flagged: 'Flagged',
    clones: 'Clone flags',
    filter: 'Student',
    filterPlaceholder: 'id, name or member',
    shown: (shown, total) => `${shown} of ${total} students shown`,
    student: 'Student',
    sortHint: 'Sort by this column',
    legend: 'Legend',
    cloneGroups: 'Labs that share a machine identity',
    needsAttention: 'Needs attention',
    readOnly: (earned, possible) => `${earned}/${possible} pts on the hosts that were read`,
    noLabs: 'This run graded no lab.',
    filterApplied: (pattern) => `Only the checks matching ${pattern} were graded.`,
    report: "The student's report",
  },
  report: {
    title: 'Lab report',
    intro: "labspec read your hosts over SSH (read-only) and compared them with the tutorial's steps.",
    outOf: (earned, possible, percent) => `${earned} of ${possible} points (${percent})`,
    gradeOf: (grade, scale) => `${grade} / ${scale}`,
    notGraded:
      'Not graded: labspec could not read every host of your lab. This is not counted against you; your instructor will follow up.',
    unreachableHost: (host, reason) => `${host} could not be read: ${reason}`,
    flagged: (count) =>
      `Flagged: labspec could not judge ${count === 1 ? '1 check' : `${count} checks`} worth points. They are not counted against you; your instructor will look at them before giving a grade.`,
    clonePenalty:
      'Your lab shares a machine identity (such as machine-id or an SSH host key) with another lab, so it was graded 0. Talk to your instructor.',
    sectionPoints: (earned, possible) => `${earned}/${possible} pts`,
    scoreOnly: 'This report shows your score only.',
    hintsOnly: 'This report says what is wrong and where to look; finding the command is up to you.',
    unreadable: 'labspec could not read or judge this check; it is not counted against you.',
    unreachable: 'The host could not be read; this check is not counted against you.',
    passedWithNote: 'Passed, with a note',
    run: (id, when) => `Run ${id}, ${when}`,
    toFix: (count) => `To fix: ${count === 1 ? '1 check' : `${count} checks`}`,
  },
};

const KO: UiText = {
  status: { pass: '통과', fail: '실패', error: '판정 못 함(오류)', skip: '해당 없음' },
  absent: '이 실습에는 없는 항목',
  state: { graded: '채점 완료', 'not-graded': '채점 안 함', flagged: '확인 필요' },
  clone: '복제 의심',
  fact: { hostKey: 'SSH 호스트 키', machineId: 'machine-id', mac: 'MAC 주소', rootFsUuid: '루트 파일 시스템 UUID' },
  expected: '기대값',
  actual: '실제값',
  source: '확인한 곳',
  problem: '문제',
  detail: '세부 내용(원문)',
  fix: '수정 방법',
  fixHere: '이 호스트에 맞춘 수정',
  hint: '힌트',
  points: '배점',
  score: '점수',
  grade: '성적',
  tutorial: '튜토리얼',
  lab: '실습 환경 전체',
  close: '닫기',
  scoreboard: {
    title: '실습 채점표',
    run: '실행',
    replay: '원본 실행',
    started: '시작',
    rubric: '채점 기준',
    students: '학생 수',
    graded: '채점 완료',
    mean: '평균',
    notGraded: '채점 안 함',
    flagged: '확인 필요',
    clones: '복제 의심',
    filter: '학생',
    filterPlaceholder: '학번, 이름, 팀원',
    shown: (shown, total) => `학생 ${total}명 중 ${shown}명 표시`,
    student: '학생',
    sortHint: '이 열로 정렬',
    legend: '범례',
    cloneGroups: '머신 식별 정보가 같은 실습',
    needsAttention: '확인이 필요한 학생',
    readOnly: (earned, possible) => `읽은 호스트 기준 ${earned}/${possible}점`,
    noLabs: '이번 실행에서 채점한 실습이 없습니다.',
    filterApplied: (pattern) => `${pattern}에 맞는 항목만 채점했습니다.`,
    report: '학생별 점검 결과 보기',
  },
  report: {
    title: '실습 점검 결과',
    intro: 'labspec이 SSH로 호스트에 접속해 설정을 읽기만 하고, 튜토리얼의 단계와 비교했습니다.',
    outOf: (earned, possible, percent) => `${possible}점 중 ${earned}점 (${percent})`,
    gradeOf: (grade, scale) => `${grade} / ${scale}`,
    notGraded:
      '채점하지 않음: labspec이 실습 호스트 중 일부를 읽지 못했습니다. 이 때문에 점수가 깎이지는 않으며, 담당 교수가 따로 확인합니다.',
    unreachableHost: (host, reason) => `${host}에 접속하지 못했습니다: ${reason}`,
    flagged: (count) =>
      `확인 필요: 배점이 있는 항목 ${count}개를 labspec이 판정하지 못했습니다. 이 항목은 감점하지 않으며, 담당 교수가 확인한 뒤 성적을 정합니다.`,
    clonePenalty:
      '이 실습의 VM이 다른 실습과 같은 머신 식별 정보(machine-id, SSH 호스트 키 등)를 가지고 있어 0점으로 처리되었습니다. 담당 교수에게 문의하세요.',
    sectionPoints: (earned, possible) => `${earned}/${possible}점`,
    scoreOnly: '이 보고서에는 점수만 공개합니다.',
    hintsOnly: '무엇이 잘못되었는지와 어디를 보면 되는지만 알려 줍니다. 명령어는 직접 찾아보세요.',
    unreadable: 'labspec이 이 항목을 읽거나 판정하지 못했습니다. 감점하지 않습니다.',
    unreachable: '호스트에 접속하지 못해 확인하지 못했습니다. 감점하지 않습니다.',
    passedWithNote: '통과(참고 사항 있음)',
    run: (id, when) => `실행 ${id}, ${when}`,
    toFix: (count) => `고쳐야 할 항목: ${count}개`,
  },
};

export const TEXT: Record<Lang, UiText> = { en: EN, ko: KO };

export function checkTitle(column: GradeColumn, lang: Lang): string {
  return lang === 'ko' ? column.titleKo : column.title;
}

export function sectionTitle(section: Section, lang: Lang): string {
  return lang === 'ko' ? section.titleKo : section.title;
}

/** Where the column was judged: the host's name, or the lab as a whole for a cross-host check. */
export function whereJudged(column: GradeColumn, lang: Lang): string {
  return column.host ?? TEXT[lang].lab;
}

/** The tutorial's sections that have columns, in the tutorial's order, each with its columns in column order. */
export function columnsBySection(columns: readonly GradeColumn[]): Array<{ section: Section; columns: GradeColumn[] }> {
  const groups = new Map<string, GradeColumn[]>();
  for (const column of columns) groups.set(column.section, [...(groups.get(column.section) ?? []), column]);
  return [...groups.entries()]
    .map(([id, grouped]) => ({ section: sectionOf(id as SectionId), columns: grouped }))
    .sort((a, b) => SECTIONS.indexOf(a.section) - SECTIONS.indexOf(b.section));
}

/** Points as people write them: `3`, `2.5`, `0.33`. */
export function formatPoints(value: number): string {
  return String(Math.round(value * 100) / 100);
}

export function formatPercent(value: number | null): string {
  return value === null ? '—' : `${formatPoints(value)}%`;
}

/** `2026-03-02 09:00 UTC`: a run's start, the same for every reader. */
export function formatWhen(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** How a student is named: the display name, else the members, with the id. */
export function studentName(lab: Pick<LabGrade, 'student'>): string {
  const { displayName, members } = lab.student;
  return displayName ?? members.join(', ');
}

/**
 * Why a lab is not graded or is flagged, in one line: the grade model's own reason in English; in Korean, the same
 * facts (the hosts not read and why, the checks not judged) in Korean words around the technical values.
 */
export function stateReason(lab: Pick<LabGrade, 'state' | 'reason' | 'hosts' | 'cells'>, lang: Lang): string {
  if (lang === 'en' || lab.state === 'graded') return lab.reason;
  if (lab.state === 'not-graded') {
    const unread = lab.hosts.filter((h) => !h.read).map((h) => `${h.host}: ${h.reason ?? ''}`);
    return `접속하지 못함 (${unread.join('; ')})`;
  }
  const unjudged = lab.cells.filter((c) => c.cause === 'unreadable' && c.points > 0);
  if (unjudged.length === 0) return '배점이 있는 항목을 하나도 판정하지 못함';
  const named = unjudged.slice(0, 3).map((c) => `${c.key}: ${c.message}`);
  const more = unjudged.length > 3 ? `; 외 ${unjudged.length - 3}개` : '';
  return `판정하지 못한 항목 ${unjudged.length}개 (${named.join('; ')}${more})`;
}
