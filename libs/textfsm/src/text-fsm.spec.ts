import {
  TextFsmError,
  TextFsmTemplate,
  compileTemplate,
  parseText,
  parseTextToRecords,
} from './index';

function records(template: string, text: string): Record<string, unknown>[] {
  return new TextFsmTemplate(template).parseTextToRecords(text);
}

describe('TextFSM language features', () => {
  it('when a rule records, then values are keyed by name and unmatched values are empty strings', () => {
    // Arrange
    const template =
      'Value NAME (\\S+)\nValue AGE (\\d+)\n\nStart\n  ^name ${NAME}( age ${AGE})? -> Record\n';

    // Act
    const result = records(template, 'name bob age 42\nname alice\n');

    // Assert
    expect(result).toEqual([
      { NAME: 'bob', AGE: '42' },
      { NAME: 'alice', AGE: '' },
    ]);
  });

  it('when no explicit Record happens, then an implicit record is emitted at EOF', () => {
    // Act
    const result = records('Value A (\\S+)\n\nStart\n  ^a ${A}\n', 'a first\na second\n');

    // Assert
    expect(result).toEqual([{ A: 'second' }]);
  });

  it('when an empty EOF state is declared, then the implicit EOF record is suppressed', () => {
    // Act
    const result = records('Value A (\\S+)\n\nStart\n  ^a ${A}\n\nEOF\n', 'a first\n');

    // Assert
    expect(result).toEqual([]);
  });

  it('when a rule transitions to End, then parsing stops and no EOF record is emitted', () => {
    // Act
    const result = records(
      'Value A (\\S+)\n\nStart\n  ^a ${A}\n  ^stop -> End\n',
      'a one\nstop\na two\n',
    );

    // Assert
    expect(result).toEqual([]);
  });

  it('when a value is Filldown, then it is kept across records until Clearall', () => {
    // Arrange
    const template =
      'Value Filldown VRF (\\S+)\nValue ITEM (\\S+)\n\nStart\n  ^vrf ${VRF}\n  ^item ${ITEM} -> Record\n  ^reset -> Clearall\n';

    // Act
    const result = records(template, 'vrf a\nitem 1\nitem 2\nreset\nitem 3\n');

    // Assert
    expect(result).toEqual([
      { VRF: 'a', ITEM: '1' },
      { VRF: 'a', ITEM: '2' },
      { VRF: '', ITEM: '3' },
    ]);
  });

  it('when a value is Fillup, then earlier records with an empty column receive it', () => {
    // The current record keeps its value too: it is only cleared after the next Record.
    // Arrange
    const template =
      'Value Fillup GROUP (\\S+)\nValue M (\\S+)\n\nStart\n  ^m ${M} -> Record\n  ^g ${GROUP}\n\nEOF\n';

    // Act
    const result = records(template, 'm 1\nm 2\ng first\nm 3\nm 4\ng x\n');

    // Assert
    expect(result).toEqual([
      { GROUP: 'first', M: '1' },
      { GROUP: 'first', M: '2' },
      { GROUP: 'first', M: '3' },
      { GROUP: 'x', M: '4' },
    ]);
  });

  it('when a Required value is empty, then the record is dropped', () => {
    // Arrange
    const template =
      'Value Required A (\\S+)\nValue B (\\S+)\n\nStart\n  ^a ${A}\n  ^b ${B}\n  ^end -> Record\n';

    // Act
    const result = records(template, 'a 1\nb 2\nend\nb 3\nend\n');

    // Assert
    expect(result).toEqual([{ A: '1', B: '2' }]);
  });

  it('when a value is List, then every match is appended to an array', () => {
    // Act
    const result = records('Value List A (\\S+)\n\nStart\n  ^a ${A}\n', 'a 1\na 2\n');

    // Assert
    expect(result).toEqual([{ A: ['1', '2'] }]);
  });

  it('when a List regex has named groups, then the list holds objects of the groups', () => {
    // Arrange
    const template = 'Value List P ((?P<name>\\w+)\\s+(?P<age>\\d+)?)\n\nStart\n  ^p ${P}\n';

    // Act
    const result = records(template, 'p bob 32\np eve \n');

    // Assert
    expect(result).toEqual([
      {
        P: [
          { name: 'bob', age: '32' },
          { name: 'eve', age: null },
        ],
      },
    ]);
  });

  it('when a rule uses Continue, then the same line is tried against the following rules', () => {
    // Arrange
    const template =
      'Value A (\\d+)\nValue B (\\d+)\n\nStart\n  ^${A} -> Continue\n  ^\\d+ ${B} -> Record\n';

    // Act
    const result = records(template, '1 2\n');

    // Assert
    expect(result).toEqual([{ A: '1', B: '2' }]);
  });

  it('when Clear is used, then non-Filldown values are cleared and Filldown values restored', () => {
    // Arrange
    const template =
      'Value Filldown F (\\S+)\nValue A (\\S+)\n\nStart\n  ^f ${F}\n  ^a ${A}\n  ^clear -> Clear\n  ^rec -> Record\n';

    // Act
    const result = records(template, 'f x\na 1\nclear\nrec\n');

    // Assert: the Filldown value also makes the implicit EOF record non-empty
    expect(result).toEqual([
      { F: 'x', A: '' },
      { F: 'x', A: '' },
    ]);
  });

  it('when an Error action fires, then a TextFsmError with the rule and input line is thrown', () => {
    // Arrange
    const template = compileTemplate(
      'Value A (\\S+)\n\nStart\n  ^bad -> Error "unexpected"\n  ^worse -> Error\n',
    );

    // Act / Assert
    expect(() => template.parseText('ok\nbad line\n')).toThrow(
      new TextFsmError('Error: "unexpected". Rule Line: 4. Input Line: bad line.', 4, 'bad line'),
    );
    expect(() => template.parseText('worse\n')).toThrow(
      'State Error raised. Rule Line: 5. Input Line: worse',
    );
  });

  it('when a Record action is combined with a state change, then both happen', () => {
    // Arrange
    const template =
      'Value A (\\S+)\n\nStart\n  ^a ${A} -> Record Second\n\nSecond\n  ^a ${A} -> Next.Record Start\n';

    // Act
    const result = parseText(template, 'a 1\na 2\na 3\n');

    // Assert
    expect(result).toEqual({ header: ['A'], rows: [['1'], ['2'], ['3']] });
  });

  it('when $$ and $VALUE forms are used, then they are substituted like string.Template', () => {
    // Act
    const result = parseTextToRecords(
      'Value A (\\d+)\n\nStart\n  ^x $A$$ -> Record\n',
      'x 12\nx 12 y\n',
    );

    // Assert
    expect(result).toEqual([{ A: '12' }]);
  });

  it('when scoped (?i:...) is used, then matching is case-insensitive only inside it', () => {
    // Act
    const result = records(
      'Value A (\\S+)\n\nStart\n  ^(?i:name) ${A} -> Record\n',
      'NAME x\nName y\nnope z\n',
    );

    // Assert
    expect(result).toEqual([{ A: 'x' }, { A: 'y' }]);
  });

  it('when the eof option is false, then the implicit EOF record is not emitted', () => {
    // Act
    const result = compileTemplate('Value A (\\S+)\n\nStart\n  ^a ${A}\n').parseText('a 1\n', {
      eof: false,
    });

    // Assert
    expect(result.rows).toEqual([]);
  });

  it('when the same template text is compiled twice, then the cached instance is returned', () => {
    // Arrange
    const text = 'Value C (\\S+)\n\nStart\n  ^c ${C}\n';

    // Act
    const first = compileTemplate(text);
    const second = compileTemplate(text);

    // Assert
    expect(second).toBe(first);
    expect(first.valuesWithOption('Key')).toEqual([]);
  });

  it('when input contains non-ASCII text, then Python Unicode classes apply', () => {
    // Act
    const result = records(
      'Value W (\\w+)\nValue D (\\d+)\n\nStart\n  ^${W} ${D} -> Record\n',
      'Zürich ٣٤\n',
    );

    // Assert
    expect(result).toEqual([{ W: 'Zürich', D: '٣٤' }]);
  });

  it('when a value is named __proto__, then it becomes an ordinary record key', () => {
    // Act
    const [record] = records('Value __proto__ (\\S+)\n\nStart\n  ^${__proto__} -> Record\n', 'x\n');

    // Assert
    expect(Object.keys(record ?? {})).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
  });
});
