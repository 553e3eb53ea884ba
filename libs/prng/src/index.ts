// Public entry of @toolkit/prng: the repository's one seeded PRNG (test data, simulated
// devices, repeatable fault draws; never secrets).
export { Prng, hashString, mulberry32 } from './prng';
