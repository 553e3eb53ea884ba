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

/** mulberry32: fast, tiny, good enough for test data and repeatable fault draws. */
export class Prng {
  private stateValue: number;

  constructor(seed: number | string) {
    this.stateValue = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
  }

  /** Uniform float in [0, 1). */
  next(): number {
    this.stateValue = (this.stateValue + 0x6d2b79f5) >>> 0;
    let t = this.stateValue;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from empty list');
    return item;
  }

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
