import { EXECUTION_OUTCOMES } from '@toolkit/contracts';

/** The Kafka contracts' enums under the names the analytics API schemas use: one definition. */
export {
  COMMAND_TYPES as API_COMMAND_TYPES,
  ERROR_CLASSES as API_ERROR_CLASSES,
  PLATFORM_DRIVERS as API_PLATFORMS,
} from '@toolkit/contracts';

export const EXECUTION_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'unknown',
  'cancelled',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** The statuses an execution ends in: its outcomes. */
const FINISHED: ReadonlySet<string> = new Set(EXECUTION_OUTCOMES);

export function isFinishedStatus(status: ExecutionStatus): boolean {
  return FINISHED.has(status);
}
