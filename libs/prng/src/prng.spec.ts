import { Prng, hashString, mulberry32 } from './prng';

const draw = (next: () => number, n: number) => Array.from({ length: n }, () => next());

describe('mulberry32', () => {
  it('when seeded with 42, then it yields the reference mulberry32 sequence', () => {
    // Act
    const values = draw(mulberry32(42), 5);

    // Assert
    expect(values).toEqual([
      0.6011037519201636, 0.44829055899754167, 0.8524657934904099, 0.6697340414393693,
      0.17481389874592423,
    ]);
  });

  it('when two generators share a seed, then they yield the same sequence', () => {
    // Arrange
    const first = mulberry32(7);
    const second = mulberry32(7);

    // Act
    const [a, b] = [draw(first, 1_000), draw(second, 1_000)];

    // Assert
    expect(a).toEqual(b);
  });

  it('when the seeds differ, then the sequences differ', () => {
    // Act
    const [a, b] = [draw(mulberry32(1), 20), draw(mulberry32(2), 20)];

    // Assert
    expect(a).not.toEqual(b);
  });

  it('when many values are drawn, then each is in [0, 1)', () => {
    // Act
    const values = draw(mulberry32(3), 10_000);

    // Assert
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
  });
});

describe('Prng', () => {
  it('when seeded with a number, then next() is mulberry32 of that seed', () => {
    // Arrange
    const prng = new Prng(42);

    // Act
    const values = draw(() => prng.next(), 50);

    // Assert
    expect(values).toEqual(draw(mulberry32(42), 50));
  });

  it('when seeded with a string, then it is mulberry32 of the string hash, repeatably', () => {
    // Arrange
    const [a, b] = [new Prng('R1:eth0'), new Prng('R1:eth0')];

    // Act
    const values = draw(() => a.next(), 20);

    // Assert
    expect(values).toEqual(draw(() => b.next(), 20));
    expect(values).toEqual(draw(mulberry32(hashString('R1:eth0')), 20));
  });

  it('when integers are drawn in [min, max], then they stay inside and reach both ends', () => {
    // Arrange
    const prng = new Prng(5);

    // Act
    const values = draw(() => prng.int(3, 6), 2_000);

    // Assert
    expect(new Set(values)).toEqual(new Set([3, 4, 5, 6]));
  });

  it('when integers are drawn below a count, then they are the [0, count - 1] range of int', () => {
    // Arrange
    const [a, b] = [new Prng(9), new Prng(9)];

    // Act
    const values = draw(() => a.below(4), 500);

    // Assert
    expect(values).toEqual(draw(() => b.int(0, 3), 500));
    expect(new Set(values)).toEqual(new Set([0, 1, 2, 3]));
  });

  it('when picking from an empty list, then it throws', () => {
    expect(() => new Prng(1).pick([])).toThrow('pick from empty list');
  });
});
