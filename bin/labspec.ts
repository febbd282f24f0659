#!/usr/bin/env node
import { main } from '../cli/main.ts';
import { EXIT } from '../run/exit-codes.ts';
import { endOnInterruption } from '../run/interruption.ts';

// labspec only reads hosts: ending on a signal loses nothing but this run, whose reports are never half-published.
endOnInterruption();

main({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  io: { stdout: process.stdout, stderr: process.stderr },
  self: [process.execPath, process.argv[1]!],
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`labspec: internal error, please report it: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(EXIT.internal);
  },
);
