import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resultsDocument } from '../outputs/report.ts';
import { EXIT } from '../run/exit-codes.ts';
import { compareWithScenario } from './expectations.ts';
import { findScenario, labDown, LabError, labExecPrefix, labUp } from './index.ts';

export interface DemoOptions {
  scenario: string;
  keep: boolean;
  /** Absolute reports folder. */
  reports: string;
  /** How to start labspec itself: it runs inside the lab's network namespace. */
  labspec: string[];
}

/**
 * `npm run demo`: the whole job on the local lab. The run's own verdicts fail on purpose (the
 * scenario breaks the lab), so the demo succeeds when they are exactly the scenario's.
 */
export async function demo(options: DemoOptions): Promise<number> {
  let scenario;
  try {
    scenario = findScenario(options.scenario);
  } catch (error) {
    console.error((error as Error).message);
    return EXIT.usage;
  }
  try {
    const up = await labUp({ scenario: scenario.name, log: (m) => console.error(m) });
    console.error(
      `lab up in ${(up.timings.totalMs / 1000).toFixed(1)}s (scenario ${scenario.name}: ${scenario.description})`,
    );
    const run = [...options.labspec, 'run', '--inventory', up.inventoryPath, '--reports', options.reports];
    const code = await inherit([...labExecPrefix(), ...run]);
    if (code === EXIT.usage || code === EXIT.reportsUnwritable) return code;
    const { results } = resultsDocument.parse(JSON.parse(readFileSync(join(options.reports, 'results.json'), 'utf8')));
    const comparison = compareWithScenario(results, scenario);
    if (comparison.matches) {
      const errors = scenario.mustError?.length ?? 0;
      const expected = `${scenario.mustFail.length} expected failure(s)${errors > 0 ? ` and ${errors} expected error(s)` : ''}, everything else passed`;
      console.log(`demo: verdicts match scenario ${scenario.name} (${expected})`);
      return EXIT.ok;
    }
    const list = (items: string[]) => items.join(', ') || '-';
    console.log(
      `demo: verdicts differ from scenario ${scenario.name}: unexpected ${list(comparison.unexpected)}; ` +
        `missing ${list(comparison.missing)}; errors ${list(comparison.errored)}`,
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

function inherit(argv: string[]): Promise<number> {
  return new Promise((done, failed) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit' });
    child.once('error', failed);
    child.once('exit', (code, signal) => done(code ?? (signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted)));
  });
}
