export {
  REDACT_PATHS,
  SECRET_VARIABLES,
  createLogger,
  currentLogContext,
  runWithLogContext,
} from './logger';
export type { LogContext, Logger, LoggerOptions } from './logger';
