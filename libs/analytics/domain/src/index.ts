export {
  HISTOGRAM_LAST_BUCKET,
  HISTOGRAM_RATIO,
  PERCENTILE_RELATIVE_ERROR,
  bucketIndex,
  bucketKey,
  bucketLowerMs,
  bucketRepresentativeMs,
  bucketUpperMs,
  mergeHistogram,
  percentileMs,
} from './duration-histogram';
export type { DurationHistogram } from './duration-histogram';
export {
  DAY_MS,
  HOUR_MS,
  bucketSizeMs,
  bucketStart,
  ceilHour,
  floorHour,
  parseDay,
} from './time-buckets';
export type { TimeBucket } from './time-buckets';
export { csvField, csvRow, parseCsv } from './csv';
export { storableStrings } from './storable-text';
export type { CsvValue } from './csv';
export { commandLogFromResult, durationBucketOf } from './command-log';
export type { CommandLogFacts, CommandLogRecord } from './command-log';
export {
  GRAIN_PATHS,
  ROLLUP_GRAINS,
  cellOf,
  grainsOf,
  mergeIncrements,
  rollupId,
  rollupIncrements,
} from './rollups';
export type { RollupCell, RollupDimensions, RollupGrain, RollupIncrement } from './rollups';
export { ALL_SECTIONS, StatisticsAccumulator, successRate } from './statistics';
export type { StatSection, StatisticsOptions } from './statistics';
export {
  TIME_PATH,
  filterPaths,
  grainFor,
  planStatistics,
  splitTimeBounds,
  wholeHours,
} from './statistics-plan';
export type { QueryFilter, StatisticsPlan, TimeBound, TimeSplit } from './statistics-plan';
export {
  STATUS_RANK,
  canTransition,
  completionsOf,
  foldStatus,
  statusOfOutcome,
} from './execution-status';
export type { StatusPoint } from './execution-status';
export { storedUserOf } from './stored-user';
export type { StoredUser } from './stored-user';
export {
  UNKNOWN_ERROR_CLASS,
  alreadyCounted,
  oneResultPerExecution,
  supersedes,
} from './ingest-rules';
export {
  bulkJobProgress,
  bulkJobStatus,
  bulkJobSummary,
  doneOf,
  emptyCounts,
  itemCode,
  jobItemsOfEvents,
  jobItemsOfRequests,
  jobItemsOfResults,
  statusOfCode,
} from './bulk-job';
export type { BulkJobItems, BulkJobProgress, JobItem } from './bulk-job';
