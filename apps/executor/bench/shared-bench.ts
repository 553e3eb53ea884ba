// What the executor's benchmarks share with the system's (tools/bench, tools/stack): the
// bare ssh2 loop, command-line options, processes and their CPU and memory from /proc.
// Those folders belong to no Nx project, so the boundary rule cannot place them: this is
// the executor benches' one import from them (never from the app's own code).
/* eslint-disable @nx/enforce-module-boundaries -- bench scripts only, see above */
export {
  closeSessions,
  loginOf,
  openSessions,
  runNewSessions,
  runOnSessions,
} from '../../../tools/bench/support/bare-loop';
export type { BareLogin } from '../../../tools/bench/support/bare-loop';
export {
  argValue,
  argValues,
  flag,
  numberArg,
  parseEnvList,
} from '../../../tools/bench/support/args';
export { runBench, runDir } from '../../../tools/bench/support/run-bench';
export {
  ProcessStack,
  brokers,
  buildBundles,
  cpuSeconds,
  machineBusySeconds,
  median,
  mongoUri,
} from '../../../tools/stack/process-stack';
export type { SimDevice } from '../../../tools/stack/process-stack';
