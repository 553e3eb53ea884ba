/** Small deterministic PRNG helpers: every generated value derives from a seed string. */

/** FNV-1a 32-bit hash of a string; used to turn names + seeds into PRNG seeds. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * mulberry32: fast, tiny, good enough for test data and repeatable fault draws (never for
 * secrets). The one seeded PRNG of the repository: uniform floats in [0, 1), the same
 * sequence for the same seed.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** mulberry32 with helpers; a string seed is hashed first (`hashString`). */
export class Prng {
  private readonly draw: () => number;

  constructor(seed: number | string) {
    this.draw = mulberry32(typeof seed === 'number' ? seed : hashString(seed));
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.draw();
  }

  /** Integer in [0, count). */
  below(count: number): number {
    return Math.floor(this.next() * count);
  }

  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + this.below(max - min + 1);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.below(items.length)];
    if (item === undefined) throw new Error('pick from empty list');
    return item;
  }

  /** True with `probability`. */
  bool(probability = 0.5): boolean {
    return this.next() < probability;
  }

  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i += 1) out += this.int(0, 15).toString(16);
    return out;
  }

  alnum(length: number): string {
    const chars = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
    let out = '';
    for (let i = 0; i < length; i += 1) out += chars.charAt(this.int(0, chars.length - 1));
    return out;
  }
}
