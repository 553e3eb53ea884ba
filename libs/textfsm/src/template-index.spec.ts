import {
  TemplateIndex,
  TextFsmIndexError,
  expandCommandCompletion,
  parseWithIndex,
  parseWithTemplates,
} from './index';

const INDEX = `
# comment before the header
Template, Hostname, Platform, Command

show_ip_int_brief.textfsm, .*, cisco_ios, sh[[ow]] ip int[[erface]] br[[ief]]
intf.textfsm:intf_mtu.textfsm, .*, cisco_ios, sh[[ow]] int[[erfaces]]
# a commented row
short, row, dropped
eos_version.textfsm, .*, arista_eos, sh[[ow]] ver[[sion]]
`;

const TEMPLATES: Record<string, string> = {
  'intf.textfsm':
    'Value Key INTERFACE (\\S+)\nValue STATUS (\\S+)\n\nStart\n  ^${INTERFACE} is ${STATUS}, -> Record\n',
  'intf_mtu.textfsm':
    'Value INTERFACE (\\S+)\nValue MTU (\\d+)\n\nStart\n  ^${INTERFACE} is\n  ^  MTU ${MTU} -> Record\n',
};

const loadTemplate = (name: string): string => {
  const text = TEMPLATES[name];
  if (text === undefined) throw new Error(`missing ${name}`);
  return text;
};

describe('template index', () => {
  it('when expanding [[...]] completion, then each optional suffix character nests', () => {
    // Act
    const expanded = expandCommandCompletion('sh[[ow]] ip');

    // Assert
    expect(expanded).toBe('sh(o(w)?)? ip');
  });

  it.each([
    ['cisco_ios', 'show ip interface brief', ['show_ip_int_brief.textfsm']],
    ['cisco_ios', 'sh ip int br', ['show_ip_int_brief.textfsm']],
    ['cisco_ios', 'sh int', ['intf.textfsm', 'intf_mtu.textfsm']],
    ['arista_eos', 'show version', ['eos_version.textfsm']],
    ['juniper_junos', 'show version', undefined],
  ])(
    'when selecting platform %s command "%s", then the first matching row is used',
    (platform, command, expected) => {
      // Arrange
      const index = TemplateIndex.parse(INDEX);

      // Act
      const templates = index.findTemplates({ Platform: platform, Command: command });

      // Assert
      expect(templates).toEqual(expected);
      expect(index.size).toBe(3);
    },
  );

  it('when a row names several templates, then their columns are merged on the Key values', () => {
    // Arrange
    const index = TemplateIndex.parse(INDEX);
    const raw =
      'Gi1 is up, line protocol is up\n  MTU 1500 bytes\nGi2 is down, line protocol is down\n  MTU 9000\n';

    // Act
    const table = parseWithIndex(
      index,
      loadTemplate,
      { Platform: 'cisco_ios', Command: 'show interfaces' },
      raw,
    );

    // Assert
    expect(table).toEqual({
      header: ['INTERFACE', 'STATUS', 'MTU'],
      rows: [
        ['Gi1', 'up', '1500'],
        ['Gi2', 'down', '9000'],
      ],
    });
  });

  it('when no template has a Key, then merged rows are joined by position', () => {
    // Arrange
    const first = 'Value A (\\d)\n\nStart\n  ^a${A} -> Record\n';
    const second = 'Value B (\\d)\n\nStart\n  ^b${B} -> Record\n';

    // Act
    const table = parseWithTemplates([first, second], 'a1\nb2\na3\n');

    // Assert
    expect(table).toEqual({
      header: ['A', 'B'],
      rows: [
        ['1', '2'],
        ['3', ''],
      ],
    });
  });

  it('when nothing matches, then a TextFsmIndexError names the attributes', () => {
    // Arrange
    const index = TemplateIndex.parse(INDEX);

    // Act
    const parse = (): unknown =>
      parseWithIndex(index, loadTemplate, { Platform: 'nokia', Command: 'show x' }, '');

    // Assert
    expect(parse).toThrow(TextFsmIndexError);
    expect(parse).toThrow(
      'No template found for attributes: {"Platform":"nokia","Command":"show x"}',
    );
  });

  it('when the index has no Template column, then parsing the index fails', () => {
    // Act
    const parse = (): unknown => TemplateIndex.parse('Hostname, Command\n.*, show\n');

    // Assert
    expect(parse).toThrow("Index file does not have 'Template' column.");
  });
});
