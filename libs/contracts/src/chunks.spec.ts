import { chunksOf } from './chunks';

describe('chunks of items', () => {
  const item = (text: string) => ({ text });

  it('when items exceed the byte budget, then they are cut in order, an oversize item alone', () => {
    const items = [item('a'.repeat(10)), item('b'.repeat(10)), item('c'.repeat(100)), item('d')];

    // {"text":"aaaaaaaaaa"} is 21 bytes: a and b fit in 45, c does not fit with anything.
    const chunks = chunksOf(items, 45);

    expect(chunks.map((c) => c.map((i) => i.text[0]).join(''))).toEqual(['ab', 'c', 'd']);
  });

  it('when a count limit is given, then no chunk holds more items, whatever their size', () => {
    const items = Array.from({ length: 7 }, (_, i) => item(String(i)));

    expect(chunksOf(items, 1_000_000, 3).map((c) => c.length)).toEqual([3, 3, 1]);
    expect(chunksOf([], 10, 3)).toEqual([]);
  });

  it('when text is multi-byte, then its UTF-8 size counts', () => {
    const items = [item('é'.repeat(10)), item('é'.repeat(10))];

    // 2 x {"text":"..."} with 20 UTF-8 bytes each: 31 bytes per item.
    expect(chunksOf(items, 40).length).toBe(2);
    expect(chunksOf(items, 62).length).toBe(1);
  });

  it('when there is no byte budget, then items are only counted: none is serialised', () => {
    // A BigInt throws in JSON.stringify: it would, if the item were measured.
    const items = Array.from({ length: 5 }, (_, i) => ({ n: BigInt(i) }));

    expect(chunksOf(items, Infinity, 2).map((c) => c.length)).toEqual([2, 2, 1]);
  });
});
