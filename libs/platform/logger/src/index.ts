export { REDACT_PATHS, createLogger, currentLogContext, runWithLogContext } from './logger';
export type { LogContext, Logger, LoggerOptions } from './logger';
