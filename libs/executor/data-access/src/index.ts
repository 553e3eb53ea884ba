export { ClaimsRepository } from './claims.repository';
