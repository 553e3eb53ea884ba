export {
  REQUEST_ID_HEADER,
  asyncHandler,
  createHttpApp,
  createOperationsApp,
  startHttpServer,
} from './http-app';
export type {
  HttpAppOptions,
  OperationsOptions,
  ReadinessCheck,
  RunningServer,
  ServiceAppDeps,
} from './http-app';
export {
  DETAIL,
  STATUS_BY_CATEGORY,
  rateLimitHeaders,
  toProblem,
  unsupportedMediaType,
} from './problem';
export type { Problem, RateLimitState } from './problem';
export { parseObjectId, pathId, pathUuid, searchParamsOf } from './path-params';
export { MAX_BODY_DEPTH, checkStorableBody } from './storable-body';
export { acceptedTokens, internalRequest, requireInternalToken } from './internal-request';
export type { InternalRequest } from './internal-request';
export { mountResourceRoutes } from './resource-routes';
export type { ResourceAction, ResourceRoutes, ResourceUrl } from './resource-routes';
