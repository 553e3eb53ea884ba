import { checkCommandDefinition, extractPlaceholders, suggestVariableName } from './command-rules';

describe('command definition rules', () => {
  it.each([
    ['show version', []],
    ['show interfaces <iface>', [{ name: 'iface' }]],
    ['show vlan id <vid> | include <vid>', [{ name: 'vid' }]],
    ['ping <target> source <source_if>', [{ name: 'target' }, { name: 'source_if' }]],
  ])('when "%s" has a variable per placeholder, then it is accepted', (command, variables) => {
    expect(checkCommandDefinition(command, variables)).toEqual({});
  });

  it.each([
    [
      'show interfaces <iface> vlan <vid>',
      [{ name: 'iface' }],
      { command: ['Placeholders without a variable: <vid>.'] },
    ],
    [
      'show version',
      [{ name: 'unused' }],
      { variables: ['Variables without a placeholder in the command: unused.'] },
    ],
    [
      'show interfaces <my-if>',
      [],
      {
        command: [
          'Invalid placeholder <my-if>: a name starts with a letter and contains only letters, digits and underscores (for example <my_if>).',
        ],
      },
    ],
    [
      'show <1st>',
      [{ name: '1st' }],
      {
        command: [
          'Invalid placeholder <1st>: a name starts with a letter and contains only letters, digits and underscores (for example <v1st>).',
        ],
        variables: [
          'Variable name "1st" is invalid: a name starts with a letter and contains only letters, digits and underscores (for example "v1st").',
        ],
      },
    ],
    [
      'show <a>',
      [{ name: 'a' }, { name: 'a' }],
      { variables: ['Variable "a" is defined more than once.'] },
    ],
    [
      'show version\nreload',
      [],
      { command: ['A show command must be a single line without control characters.'] },
    ],
    [
      'show <a>',
      [{ name: 'a', default_value: 'x\r\nreload' }],
      { variables: ['Variable "a" must not contain line breaks or control characters.'] },
    ],
    [
      'show vlan <v>',
      [{ name: 'v', variable_type: 'netbox_vlan' as const, default_value: '5000' }],
      { variables: ['Default value of "v" must be a VLAN ID between 1 and 4094.'] },
    ],
  ])('when "%s" breaks a rule, then the error names it', (command, variables, expected) => {
    expect(checkCommandDefinition(command, variables)).toEqual(expected);
  });

  it.each([
    ['interface <intf>\n description <text>', [{ name: 'intf' }, { name: 'text' }], {}],
    [
      'vlan 10\n\n name users',
      [],
      { command: ['A configuration snippet must not contain empty lines.'] },
    ],
    [
      'vlan 10\r\n name users',
      [],
      {
        command: [
          'Configuration lines must not contain control characters (lines are separated by \\n).',
        ],
      },
    ],
    [
      Array.from({ length: 201 }, (_, i) => `vlan ${i + 1}`).join('\n'),
      [],
      { command: ['A configuration snippet has at most 200 lines.'] },
    ],
  ])(
    'when a configuration snippet is %j, then the errors are %j',
    (command, variables, expected) => {
      expect(checkCommandDefinition(command, variables, 'config')).toEqual(expected);
    },
  );

  it('when placeholders repeat or are malformed, then names are unique and malformed ones are listed', () => {
    expect(extractPlaceholders('a <x> b <x> c <y_1> <bad name> <-z>')).toEqual({
      names: ['x', 'y_1'],
      malformed: ['-z'],
    });
  });

  it.each([
    ['my-var', 'my_var'],
    ['_lead', 'lead'],
    ['9lives', 'v9lives'],
    ['---', 'var'],
  ])('when the name is %s, then the suggestion is %s', (name, suggestion) => {
    expect(suggestVariableName(name)).toBe(suggestion);
  });
});
