// Child process of the CLI-start benchmark: imports each module given on the command line in turn and prints how
// long each import took. Later imports only pay for what earlier ones did not already load, so the order given
// attributes shared dependencies to the first module that needs them.
import { performance } from 'node:perf_hooks';

const costs: { readonly module: string; readonly ms: number }[] = [];
for (const specifier of process.argv.slice(2)) {
  const start = performance.now();
  await import(specifier);
  costs.push({ module: specifier, ms: performance.now() - start });
}
process.stdout.write(`${JSON.stringify(costs)}\n`);
