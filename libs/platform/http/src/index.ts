export { REQUEST_ID_HEADER, asyncHandler, createHttpApp, startHttpServer } from './http-app';
export type { HttpAppOptions, ReadinessCheck, RunningServer } from './http-app';
export { DETAIL, STATUS_BY_CATEGORY, toProblem, unsupportedMediaType } from './problem';
export type { Problem } from './problem';
