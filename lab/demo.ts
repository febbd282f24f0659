import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSpecs } from '../helpers/run-specs.ts';
import { EXIT } from '../helpers/settings.ts';
import { compareWithScenario } from './expectations.ts';
import { findScenario, labDown, LabError, labExecPrefix, labUp } from './index.ts';

/**
 * `npm run demo`: the whole job on the local lab. The run's own verdicts fail on purpose (the
 * scenario breaks the lab), so the demo succeeds when they are exactly the scenario's.
 */
export async function demo(options: { scenario: string; keep: boolean; reports: string }): Promise<number> {
  let scenario;
  try {
    scenario = findScenario(options.scenario);
  } catch (error) {
    console.error((error as Error).message);
    return EXIT.usage;
  }
  try {
    const up = await labUp({ scenario: scenario.name, log: (m) => console.error(m) });
    console.error(`lab up in ${(up.timings.totalMs / 1000).toFixed(1)}s (scenario ${scenario.name}: ${scenario.description})`);
    const code = await runSpecs({ LABSPEC_INVENTORY: up.inventoryPath, LABSPEC_REPORTS: options.reports }, undefined, labExecPrefix());
    if (code === EXIT.usage) return code;
    const { results } = JSON.parse(readFileSync(join(options.reports, 'results.json'), 'utf8'));
    const comparison = compareWithScenario(results, scenario);
    if (comparison.matches) {
      console.log(`demo: verdicts match scenario ${scenario.name} (${scenario.mustFail.length} expected failure(s), everything else passed)`);
      return EXIT.ok;
    }
    console.log(
      `demo: verdicts differ from scenario ${scenario.name}: unexpected ${comparison.unexpected.join(', ') || '-'}; missing ${comparison.missing.join(', ') || '-'}; errors ${comparison.errored.join(', ') || '-'}`,
    );
    return EXIT.checksFailed;
  } catch (error) {
    if (error instanceof LabError) {
      console.error(error.message);
      return EXIT.checksFailed;
    }
    throw error;
  } finally {
    if (options.keep) console.error('lab left running (--keep); stop it with: npm run lab:down');
    else await labDown();
  }
}
