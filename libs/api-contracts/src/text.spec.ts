import { nameText } from './text';

describe('nameText', () => {
  it.each(['core-1', 'Gi0/1', 'Zürich DC 1', 'ルータ', 'a'.repeat(20)])(
    'when a name is %j, then it is accepted',
    (name) => {
      expect(nameText(20).safeParse(name).success).toBe(true);
    },
  );

  it.each(['a\nb', 'a\rb', 'tab\there', '\u001b[2Jcleared', 'del\u007f', 'c1\u0085'])(
    'when a name is %j, then control characters are refused by name',
    (name) => {
      const result = nameText(20).safeParse(name);

      expect(result.success).toBe(false);
      expect(result.error?.issues.map((i) => i.message)).toEqual([
        'Control characters are not allowed.',
      ]);
    },
  );

  it('when a name may be empty, then the empty string passes and the length limit holds', () => {
    expect(nameText(3, 0).safeParse('').success).toBe(true);
    expect(nameText(3, 0).safeParse('abcd').success).toBe(false);
  });
});
