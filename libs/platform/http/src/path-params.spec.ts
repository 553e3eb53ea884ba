import { isAppError } from '@toolkit/errors';
import { parseObjectId, pathId } from './path-params';

describe('parseObjectId', () => {
  it.each([
    ['1', 1],
    ['42', 42],
    ['01', 1],
    ['999999999999999', 999_999_999_999_999],
    [7, 7],
    [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  ])('when the id is %p, then it reads as %p', (raw, expected) => {
    // Act
    const id = parseObjectId(raw);

    // Assert
    expect(id).toBe(expected);
  });

  it.each([
    '0',
    '00',
    '-1',
    '+1',
    '1e3',
    '1.0',
    '0x10',
    ' 1',
    '1 ',
    '',
    'abc',
    '9007199254740993',
    '1000000000000000',
    '12345678901234567890',
    '١٢',
    0,
    -1,
    1.5,
    2 ** 53,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    undefined,
    null,
    ['1'],
  ])('when the id is %p, then it is not an id', (raw) => {
    // Act
    const id = parseObjectId(raw);

    // Assert
    expect(id).toBeUndefined();
  });
});

describe('pathId', () => {
  it('when the path segment is a positive integer, then it is the id', () => {
    // Act
    const id = pathId('17');

    // Assert
    expect(id).toBe(17);
  });

  it('when express gives the segment as a list, then its first value is read', () => {
    // Act
    const id = pathId(['17', '18']);

    // Assert
    expect(id).toBe(17);
  });

  it.each(['0', '-1', '1e3', '9007199254740993', '12345678901234567890', 'abc'])(
    'when the path segment is %p, then the object does not exist (404, never a 500)',
    (raw) => {
      // Arrange
      let thrown: unknown;

      // Act
      try {
        pathId(raw, 'command');
      } catch (error) {
        thrown = error;
      }

      // Assert
      expect(isAppError(thrown) && [thrown.category, thrown.message]).toEqual([
        'not_found',
        'No such command.',
      ]);
    },
  );
});
