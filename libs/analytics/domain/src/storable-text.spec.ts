import { storableStrings } from './storable-text';

describe('storableStrings', () => {
  it('when strings hold NUL or unpaired surrogates, then those become U+FFFD, deep inside too', () => {
    const when = new Date('2026-12-01T00:00:00Z');

    expect(
      storableStrings({
        output: 'a\u0000b',
        nested: [{ text: '\ud800x' }, 3, null, true],
        ['k\u0000']: 'v',
        when,
        fine: 'Zürich 😀',
      }),
    ).toEqual({
      output: 'a\uFFFDb',
      nested: [{ text: '\uFFFDx' }, 3, null, true],
      ['k\uFFFD']: 'v',
      when,
      fine: 'Zürich 😀',
    });
  });
});
