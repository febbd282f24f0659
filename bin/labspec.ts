#!/usr/bin/env -S npx tsx
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runSpecs } from '../helpers/run-specs.ts';
import { EXIT } from '../helpers/settings.ts';
import { DEFAULT_INVENTORY } from '../inventory/load.ts';
import { PROBES } from '../probes/index.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const HELP = `labspec — read-only checks of an OpenStack lab over SSH, with JUnit reports

Usage:
  labspec run    [--inventory FILE] [--reports DIR] [--concurrency N] [--filter TEXT]
  labspec replay [SNAPSHOT_DIR]     [--reports DIR] [--filter TEXT]
  labspec lab up [--scenario NAME] | lab down | lab status | lab scenarios
  labspec demo   [--scenario NAME] [--keep]
  labspec probes
  labspec --help | --version

Commands:
  run       Read every host of the inventory (one SSH connection and one exec each, in
            parallel), check the lab spec, print a summary and write the reports.
  replay    Check saved snapshots again with no network (default: <reports>/facts).
  lab       The local lab: two real systemd hosts (controller, compute1) in network
            namespaces on this machine. Needs Linux and root.
  demo      lab up, run against it, print the reports, lab down (unless --keep).
  probes    The fixed, read-only commands labspec may send to a host, probe by probe.

Options:
  --inventory FILE   inventory YAML (default ${DEFAULT_INVENTORY}; env LABSPEC_INVENTORY)
  --reports DIR      where reports go (default reports/; env LABSPEC_REPORTS)
  --concurrency N    hosts read at once (default 16; env LABSPEC_CONCURRENCY)
  --filter TEXT      only checks whose name contains TEXT (vitest -t), e.g. firewalld
  --scenario NAME    lab scenario: compliant, drift, … (see: labspec lab scenarios)
  --keep             demo: leave the lab running afterwards

Reports: <reports>/junit.xml, <reports>/results.json, <reports>/facts/<host>.json
Exit codes: 0 every check passed (skips allowed); 1 a check failed or could not be
evaluated (error); 2 usage, inventory or snapshot error (nothing was checked).
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      inventory: { type: 'string' },
      reports: { type: 'string' },
      concurrency: { type: 'string' },
      filter: { type: 'string' },
      scenario: { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === 'help') return print(HELP, EXIT.ok);
  if (values.version) return print(`${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}\n`, EXIT.ok);
  const inventory = values.inventory ?? process.env.LABSPEC_INVENTORY;
  const env: NodeJS.ProcessEnv = {
    ...(inventory ? { LABSPEC_INVENTORY: resolve(inventory) } : {}),
    ...(values.reports ? { LABSPEC_REPORTS: resolve(values.reports) } : {}),
    ...(values.concurrency ? { LABSPEC_CONCURRENCY: values.concurrency } : {}),
  };
  switch (command) {
    case 'run':
      return runSpecs(env, values.filter);
    case 'replay': {
      const reports = env.LABSPEC_REPORTS ?? resolve(process.env.LABSPEC_REPORTS ?? 'reports');
      return runSpecs({ ...env, LABSPEC_REPORTS: reports, LABSPEC_REPLAY: resolve(rest[0] ?? join(reports, 'facts')) }, values.filter);
    }
    case 'lab': {
      const { labCli } = await import('../lab/cli.ts');
      return labCli(rest, { scenario: values.scenario });
    }
    case 'demo': {
      const { demo } = await import('../lab/demo.ts');
      return demo({ scenario: values.scenario ?? 'drift', keep: values.keep ?? false, reports: env.LABSPEC_REPORTS ?? resolve('reports') });
    }
    case 'probes':
      return print(describeProbes(), EXIT.ok);
    default:
      return print(`${command ? `labspec: unknown command ${command}\n` : ''}${HELP}`, EXIT.usage);
  }
}

function describeProbes(): string {
  return Object.values(PROBES)
    .map((probe) => {
      const commands = new Set(
        ['controller', 'compute'].flatMap((role) => Object.values(probe.commands({ role: role as 'controller' | 'compute', chronySyncWaitSeconds: 10 }))),
      );
      return [`${probe.id} — ${probe.description}`, ...[...commands].map((c) => `  $ ${c}`), `  fact: ${probe.example}`, ''].join('\n');
    })
    .join('\n');
}

function print(text: string, code: number): number {
  (code === EXIT.ok ? process.stdout : process.stderr).write(text);
  return code;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`labspec: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(EXIT.usage);
  },
);
