import { gradeClass } from '../../../grade/grade.ts';
import type { ClassGrade } from '../../../grade/model.ts';
import { defaultRubric } from '../../../grade/rubric.ts';
import { classReport } from '../grade/class-report.ts';

/** Values a student or a host controls, each trying another way out of its context. */
export const HOSTILE = {
  script: '</script><script>alert(1)</script>',
  attribute: '" onmouseover="alert(1)" x="',
  single: "' onfocus='alert(2)",
  tag: '<img src=x onerror=alert(3)>',
  comment: '<!-- <script>',
  separators: 'line\u2028separator\u2029end',
  entity: '&lt;b&gt; &amp;',
};
export const ALL_HOSTILE = Object.values(HOSTILE).join(' | ');

/** A class graded from the registry's real checks, with hostile names and verdict values where hosts write text. */
export function hostileClass(): ClassGrade {
  const report = classReport([
    { name: 'student1' },
    { name: 'student2', verdicts: { 'controller:chrony.allow': 'fail', 'lab:topology.ntp': 'fail' } },
    { name: 'student3', unreachable: { compute1: `connect ECONNREFUSED ${HOSTILE.tag}` } },
  ]);
  for (const result of report.results) {
    if (result.lab === 'student2' && result.status === 'fail') {
      Object.assign(result, {
        expected: HOSTILE.script,
        actual: `${HOSTILE.attribute}\nsecond line ${HOSTILE.separators}`,
        source: HOSTILE.comment,
        message: HOSTILE.tag,
        fix: `echo ${HOSTILE.single} >> /etc/chrony.conf`,
      });
    }
  }
  return gradeClass({
    report,
    students: [
      {
        lab: 'student2',
        student: {
          id: `2024-0002${HOSTILE.attribute}`,
          displayName: HOSTILE.script,
          members: [HOSTILE.tag, HOSTILE.entity],
          lmsId: HOSTILE.single,
        },
      },
    ],
    identities: [
      {
        lab: 'student1',
        host: 'controller',
        identity: { hostKey: [], machineId: [HOSTILE.tag], mac: [], rootFsUuid: [] },
      },
      {
        lab: 'student2',
        host: 'controller',
        identity: { hostKey: [], machineId: [HOSTILE.tag], mac: [], rootFsUuid: [] },
      },
    ],
    rubric: defaultRubric(),
  });
}
