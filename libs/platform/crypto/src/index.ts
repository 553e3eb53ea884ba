export { createKeyring, open, openJson, parseKeyring, seal, sealJson } from './sealed-box';
export type { Keyring } from './sealed-box';
export { hashSecret, issueToken, parseToken, secretMatches } from './tokens';
export type { IssuedToken } from './tokens';
