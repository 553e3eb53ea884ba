export { ClaimsRepository } from './claims.repository';
export { BatchProgressRepository } from './batch-progress.repository';
