export { PLATFORM_DRIVER_TABLE, driverFor } from './platform-drivers';
export type { PlatformDriverSpec, VendorErrorKind, VendorErrorPattern } from './platform-drivers';
export {
  NO_SYNTAX_ERROR,
  cleanExecOutput,
  cleanShellOutput,
  detectVendorError,
  NOT_PARSED,
  PARSE_ERROR_MAX_LENGTH,
  normaliseTerminalText,
  parseOutput,
  parsingOf,
} from './output-analysis';
export type { ParsedOutcome, SyntaxErrorInfo } from './output-analysis';
export {
  DeviceRunError,
  circuitOpenMessage,
  classifyConnectError,
  countsAsDeviceFailure,
  isDeviceRunError,
  sanitiseMessage,
} from './error-classification';
export type { ConnectPhase, LowLevelError } from './error-classification';
export { decideOnClaim, needsClaim } from './claim-decision';
export type { ClaimDecision, ExecutionClaim } from './claim-decision';
export { runKeyed } from './keyed-scheduler';
export { TerminalBuffer } from './terminal-buffer';
export {
  ExecOutputStreamer,
  LiveOutput,
  OUTPUT_FLUSH_CHARS,
  OUTPUT_FLUSH_INTERVAL_MS,
  ShellOutputStreamer,
} from './live-output';
export type { LiveOutputOptions, StreamEnd } from './live-output';
export { buildEvent, buildResult, shrinkToFit } from './execution-result';
export type { ResultBody, ResultContext } from './execution-result';
export { CancellationBook } from './cancellations';
export { BatchProgress, batchIdOf } from './batch-progress';
export type { BatchProgressStore } from './batch-progress';
export type { CancelEffect, CancellationBookOptions, RunHandle } from './cancellations';
export { ExecuteRequest } from './execute-request.use-case';
export type {
  ClaimStore,
  CredentialOpener,
  DeviceRunInput,
  DeviceRunOutput,
  DeviceRunner,
  ExecuteRequestDeps,
  ExecutionPath,
  ExecutionPublisher,
  ExecutionReport,
} from './execute-request.use-case';
