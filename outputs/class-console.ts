import { CLONE_FACT_LABELS, type ClassGrade, type LabGrade } from '../grade/model.ts';
import type { Paint } from './console.ts';

/** How many of the lowest graded scores the summary names. */
const LOWEST_SHOWN = 5;

/**
 * The class in a few lines, after the run's summary: how many students, how many graded and their mean, the lowest
 * scores, every lab not graded or flagged with its reason, and every clone group with the fact that matched.
 */
export function classSummary(grade: ClassGrade, written: readonly string[], p: Paint): string {
  const { summary } = grade;
  const who = (lab: LabGrade) => {
    const name = lab.student.displayName ?? (lab.student.members.length > 0 ? lab.student.members.join(', ') : null);
    return name ? `${lab.student.id} (${name})` : lab.student.id;
  };
  const mean = summary.meanPercent === null ? '' : `, mean ${summary.meanPercent}%`;
  const lines = [
    p.bold('class'),
    `  ${summary.labs} students: ${summary.graded} graded${mean}, ${summary.notGraded} not graded, ${summary.flagged} flagged, ${summary.clones} in clone groups`,
  ];
  const lowest = grade.labs
    .filter((l) => l.state === 'graded')
    .sort((a, b) => a.grade! - b.grade! || a.percent! - b.percent!)
    .slice(0, LOWEST_SHOWN);
  if (lowest.length > 0) {
    const scale = grade.rubric.gradeScale;
    const scores = lowest.map((l) => `${who(l)} ${l.grade}/${scale}${l.penalty ? ' (clone)' : ''}`);
    lines.push(`  lowest: ${scores.join(', ')}`);
  }
  for (const lab of grade.labs.filter((l) => l.state === 'not-graded')) {
    lines.push(`  ${p.yellow('not graded')} ${who(lab)}: ${lab.reason}`);
  }
  for (const lab of grade.labs.filter((l) => l.state === 'flagged')) {
    lines.push(`  ${p.yellow('flagged')} ${who(lab)}: ${lab.reason}`);
  }
  for (const group of grade.cloneGroups) {
    const members = group.members.map((m) => `${m.id}/${m.host}`).join(', ');
    lines.push(`  ${p.red('clone')} same ${CLONE_FACT_LABELS[group.fact]} (${group.value}): ${members}`);
  }
  if (written.length > 0) lines.push(`class reports: ${written.join(', ')}`);
  lines.push('');
  return lines.join('\n');
}
