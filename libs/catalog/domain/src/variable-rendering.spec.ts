import { renderCommand, variableChoices } from './variable-rendering';
import type { CommandVariable, DeviceContext, VariableProblem } from './variable-rendering';

function variable(
  name: string,
  type: CommandVariable['variable_type'],
  extra: Partial<CommandVariable> = {},
): CommandVariable {
  return {
    id: 1,
    name,
    display_name: name,
    variable_type: type,
    required: true,
    help_text: '',
    default_value: '',
    ...extra,
  };
}

const vlan10 = { id: 1, vid: 10, name: 'USERS' };
const vlan20 = { id: 2, vid: 20, name: 'VOICE' };
const vlan99 = { id: 3, vid: 99, name: 'MGMT' };
const context: DeviceContext = {
  device: { id: 1, name: 'r1' },
  interfaces: [
    {
      id: 11,
      name: 'GigabitEthernet0/10',
      type: '1000base-t',
      enabled: true,
      untagged_vlan: null,
      tagged_vlans: [],
    },
    {
      id: 10,
      name: 'GigabitEthernet0/1',
      type: '1000base-t',
      enabled: true,
      untagged_vlan: vlan10,
      tagged_vlans: [vlan20],
    },
    {
      id: 12,
      name: 'Loopback0',
      type: 'virtual',
      enabled: false,
      untagged_vlan: null,
      tagged_vlans: [],
    },
  ],
  siteVlans: [vlan99],
  ipAddresses: [
    { id: 21, address: '10.0.0.1/24', status: 'active' },
    { id: 22, address: '2001:db8::1/64', status: 'active' },
  ],
};

function problem(
  type: CommandVariable['variable_type'] | null,
  value: string | null,
  error_type: VariableProblem['error_type'],
  message: string,
  suggestions: string[] = [],
): VariableProblem {
  return { variable_type: type, provided_value: value, error_type, message, suggestions };
}

describe('rendering a command for a device', () => {
  it.each([
    [
      'show interfaces <i>',
      [variable('i', 'netbox_interface')],
      { i: 'GigabitEthernet0/1' },
      'show interfaces GigabitEthernet0/1',
    ],
    ['show vlan id <v>', [variable('v', 'netbox_vlan')], { v: '20' }, 'show vlan id 20'],
    ['show vlan id <v>', [variable('v', 'netbox_vlan')], { v: '099' }, 'show vlan id 99'],
    [
      'show vlan name <n>',
      [variable('n', 'netbox_vlan_name')],
      { n: ' MGMT ' },
      'show vlan name MGMT',
    ],
    ['ping <ip>', [variable('ip', 'netbox_ip')], { ip: '10.0.0.1' }, 'ping 10.0.0.1'],
    ['ping <ip>', [variable('ip', 'netbox_ip')], { ip: '10.0.0.1/24' }, 'ping 10.0.0.1'],
    ['ping <ip>', [variable('ip', 'netbox_ip')], { ip: '2001:DB8::1' }, 'ping 2001:DB8::1'],
    [
      'show run | i <t> <t>',
      [variable('t', 'text')],
      { t: 'hostname' },
      'show run | i hostname hostname',
    ],
    ['show log <n>', [variable('n', 'text', { default_value: '50' })], {}, 'show log 50'],
    ['show log <n>', [variable('n', 'text', { required: false })], {}, 'show log '],
  ])('when %s gets %j, then it renders "%s"', (command, variables, values, expected) => {
    const outcome = renderCommand({ command, variables }, context, values);

    expect(outcome.problems).toEqual({});
    expect(outcome.rendered).toBe(expected);
  });

  it.each([
    [
      variable('i', 'netbox_interface'),
      'GigabitEthernet0/2',
      problem(
        'netbox_interface',
        'GigabitEthernet0/2',
        'netbox_data_validation',
        "Interface 'GigabitEthernet0/2' not found on device 'r1'. Did you mean: GigabitEthernet0/1, GigabitEthernet0/10?",
        ['GigabitEthernet0/1', 'GigabitEthernet0/10'],
      ),
    ],
    [
      variable('i', 'netbox_interface'),
      'gigabitethernet0/1',
      problem(
        'netbox_interface',
        'gigabitethernet0/1',
        'netbox_data_validation',
        "Interface 'gigabitethernet0/1' not found on device 'r1'. Did you mean: GigabitEthernet0/1, GigabitEthernet0/10?",
        ['GigabitEthernet0/1', 'GigabitEthernet0/10'],
      ),
    ],
    [
      variable('v', 'netbox_vlan'),
      'ten',
      problem(
        'netbox_vlan',
        'ten',
        'invalid_value',
        "VLAN ID 'ten' must be a whole number between 1 and 4094.",
      ),
    ],
    [
      variable('v', 'netbox_vlan'),
      '21',
      problem(
        'netbox_vlan',
        '21',
        'netbox_data_validation',
        "VLAN 21 not found on device 'r1' interfaces or its site. Did you mean: 20, 10, 99?",
        ['20', '10', '99'],
      ),
    ],
    [
      variable('n', 'netbox_vlan_name'),
      'VOICES',
      problem(
        'netbox_vlan_name',
        'VOICES',
        'netbox_data_validation',
        "VLAN 'VOICES' not found on device 'r1' interfaces or its site. Did you mean: VOICE?",
        ['VOICE'],
      ),
    ],
    [
      variable('ip', 'netbox_ip'),
      '10.0.0.2',
      problem(
        'netbox_ip',
        '10.0.0.2',
        'netbox_data_validation',
        "IP address '10.0.0.2' is not assigned to device 'r1'. Did you mean: 10.0.0.1?",
        ['10.0.0.1'],
      ),
    ],
    [
      variable('t', 'text'),
      'x\nreload',
      problem(
        'text',
        'x\nreload',
        'invalid_value',
        'The value must not contain line breaks or control characters.',
      ),
    ],
    [
      variable('t', 'text'),
      'a'.repeat(501),
      problem(
        'text',
        'a'.repeat(501),
        'invalid_value',
        'Ensure this value has at most 500 characters.',
      ),
    ],
    [variable('t', 'text'), '', problem('text', null, 'missing', 'This variable is required.')],
  ])('when %j gets %j, then the problem names it with suggestions', (v, value, expected) => {
    const outcome = renderCommand({ command: `x <${v.name}>`, variables: [v] }, context, {
      [v.name]: value,
    });

    expect(outcome.rendered).toBeNull();
    expect(outcome.problems).toEqual({ [v.name]: expected });
  });

  it('when an unknown variable is given, then it is refused with the closest names', () => {
    const outcome = renderCommand(
      { command: 'show <iface>', variables: [variable('iface', 'text')] },
      context,
      {
        iface: 'x',
        ifase: 'y',
      },
    );

    expect(outcome.problems).toEqual({
      ifase: problem(
        null,
        'y',
        'unknown_variable',
        'Unknown variable "ifase". This command\'s variables: iface.',
        ['iface'],
      ),
    });
  });

  it('when the device has no interfaces, then the message says so', () => {
    const outcome = renderCommand(
      { command: 'show <i>', variables: [variable('i', 'netbox_interface')] },
      { ...context, interfaces: [] },
      { i: 'Gi0/1' },
    );

    expect(outcome.problems['i']?.message).toBe("Device 'r1' has no interfaces.");
  });
});

describe('command operators in variable values', () => {
  const pattern = {
    command: 'show running-config | include <text>',
    variables: [variable('text', 'text')],
  };

  it.each([
    ['cisco_ios', 'x | redirect tftp://10.0.0.9/out', false],
    ['cisco_ios', 'x > flash:out', true],
    ['cisco_nxos', 'x > bootflash:out', false],
    ['arista_eos', 'x ; reload', false],
    ['juniper_junos', 'x | save /var/tmp/out', false],
    ['linux', 'x; rm -rf /tmp/x', false],
    ['linux', '$(id)', false],
    ['linux', 'eth0', true],
    [undefined, 'x > out', false],
  ] as const)('when a value on %s is %j, then it is accepted: %s', (driver, value, accepted) => {
    const outcome = renderCommand(pattern, undefined, { text: value }, driver);

    expect(outcome.rendered !== null).toBe(accepted);
    if (!accepted)
      expect(outcome.problems['text']?.message).toMatch(/must not contain .*\(allow_operators\)/);
  });

  it("when the command's author allows operators for a variable, then its values may contain them", () => {
    const allowed = {
      ...pattern,
      variables: [variable('text', 'text', { allow_operators: true })],
    };

    const outcome = renderCommand(allowed, undefined, { text: 'a|b' }, 'cisco_ios');

    expect(outcome.rendered).toBe('show running-config | include a|b');
  });
});

describe('variable choices', () => {
  it('when choices are listed, then they are exactly the values validation accepts', () => {
    const variables = [
      variable('i', 'netbox_interface'),
      variable('v', 'netbox_vlan'),
      variable('n', 'netbox_vlan_name'),
      variable('ip', 'netbox_ip'),
      variable('t', 'text', { help_text: 'free', default_value: 'x' }),
    ];

    const choices = variableChoices(variables, context);

    expect(choices).toEqual({
      i: {
        type: 'netbox_interface',
        display_name: 'i',
        required: true,
        help_text: '',
        default_value: '',
        choices: [
          {
            value: 'GigabitEthernet0/1',
            display: 'GigabitEthernet0/1 (1000base-t)',
            id: 10,
            enabled: true,
          },
          {
            value: 'GigabitEthernet0/10',
            display: 'GigabitEthernet0/10 (1000base-t)',
            id: 11,
            enabled: true,
          },
          { value: 'Loopback0', display: 'Loopback0 (virtual)', id: 12, enabled: false },
        ],
      },
      v: {
        type: 'netbox_vlan',
        display_name: 'v',
        required: true,
        help_text: '',
        default_value: '',
        choices: [
          { value: '10', display: 'VLAN 10 (USERS)', id: 1, name: 'USERS' },
          { value: '20', display: 'VLAN 20 (VOICE)', id: 2, name: 'VOICE' },
          { value: '99', display: 'VLAN 99 (MGMT)', id: 3, name: 'MGMT' },
        ],
      },
      n: {
        type: 'netbox_vlan_name',
        display_name: 'n',
        required: true,
        help_text: '',
        default_value: '',
        choices: [
          { value: 'USERS', display: 'USERS (VLAN 10)', id: 1, vid: 10 },
          { value: 'VOICE', display: 'VOICE (VLAN 20)', id: 2, vid: 20 },
          { value: 'MGMT', display: 'MGMT (VLAN 99)', id: 3, vid: 99 },
        ],
      },
      ip: {
        type: 'netbox_ip',
        display_name: 'ip',
        required: true,
        help_text: '',
        default_value: '',
        choices: [
          { value: '10.0.0.1', display: '10.0.0.1/24 (active)', id: 21, status: 'active' },
          { value: '2001:db8::1', display: '2001:db8::1/64 (active)', id: 22, status: 'active' },
        ],
      },
      t: {
        type: 'text',
        display_name: 't',
        required: true,
        help_text: 'free',
        default_value: 'x',
        choices: null,
      },
    });
    for (const [name, entry] of Object.entries(choices)) {
      for (const c of entry.choices ?? []) {
        const v = variables.find((x) => x.name === name) as CommandVariable;
        expect(
          renderCommand({ command: `x <${name}>`, variables: [v] }, context, { [name]: c.value })
            .problems,
        ).toEqual({});
      }
    }
  });
});
