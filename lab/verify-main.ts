// Manual: npx tsx lab/verify-main.ts [scenario...] — brings each scenario up, evaluates, compares.
import { evaluateLab } from './verify.ts';
import { labDown, labUp, scenarios } from './index.ts';

const wanted = process.argv.slice(2);
let bad = 0;
for (const s of scenarios.filter((x) => wanted.length === 0 || wanted.includes(x.name))) {
  const up = await labUp({ scenario: s.name });
  if (s.mustFail.some((f) => f.endsWith(':chrony.source'))) await new Promise((r) => setTimeout(r, 8000));
  const { failing } = await evaluateLab();
  const expected = [...s.mustFail].sort();
  const got = [...failing].sort();
  const same = JSON.stringify(expected) === JSON.stringify(got);
  if (!same) bad++;
  console.log(`${same ? 'OK  ' : 'DIFF'} ${s.name} up=${up.timings.upMs}ms\n  expected: ${expected.join(' ')}\n  failing:  ${got.join(' ')}`);
}
await labDown();
process.exit(bad ? 1 : 0);
