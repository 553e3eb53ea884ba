export { Lifecycle, flushLogger } from './lifecycle';
export type { Closer, LifecycleOptions } from './lifecycle';
export { PeriodicJob } from './periodic-job';
