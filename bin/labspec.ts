#!/usr/bin/env node
import module from 'node:module';

// Compiled code is cached on disk (the system's temp folder) from one run to the next: at one host, start-up is a
// good part of a run, and most of start-up is compiling labspec and its dependencies. Turned on before they load;
// Node 22.0 has no compile cache, and NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache?.();

const [{ main }, { EXIT }, { endOnInterruption }] = await Promise.all([
  import('../cli/main.ts'),
  import('../run/exit-codes.ts'),
  import('../run/interruption.ts'),
]);

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
