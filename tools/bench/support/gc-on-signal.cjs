// Preloaded by a benchmark into a service it starts (NODE_OPTIONS="--require <this file>"),
// never in production: SIGUSR2 runs a full garbage collection, so that the heap used read
// from the service's /metrics right after is its live heap, not the garbage not yet
// collected. (V8's gc() is reached without --expose-gc on the command line.)
const v8 = require('node:v8');
const vm = require('node:vm');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
process.on('SIGUSR2', () => gc());
