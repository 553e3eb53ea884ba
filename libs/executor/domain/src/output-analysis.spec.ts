import type { PlatformDriver } from '@toolkit/contracts';
import {
  cleanShellOutput,
  detectVendorError,
  normaliseTerminalText,
  PARSE_ERROR_MAX_LENGTH,
  parseOutput,
  parsingOf,
} from './output-analysis';
import { driverFor } from './platform-drivers';

describe('vendor error detection', () => {
  it.each<[PlatformDriver, string, string]>([
    [
      'cisco_ios',
      "show ip intr\n        ^\n% Invalid input detected at '^' marker.\n",
      'invalid_input',
    ],
    ['cisco_ios', '% Incomplete command.\n', 'incomplete_command'],
    ['cisco_ios', '% Ambiguous command:  "sh i"\n', 'ambiguous_command'],
    [
      'cisco_ios',
      'Translating "foo"\n% Unknown command or computer name, or unable to find computer address\n',
      'unknown_command',
    ],
    ['cisco_ios', '% Authorization failed.\n', 'permission_denied'],
    ['cisco_nxos', "        ^\n% Invalid command at '^' marker.\n", 'invalid_input'],
    ['cisco_nxos', "% Incomplete command at '^' marker.\n", 'incomplete_command'],
    ['cisco_xr', "% Invalid input detected at '^' marker.\n", 'invalid_input'],
    ['cisco_xr', '% Failed to commit one or more configuration items.\n', 'commit_failed'],
    ['arista_eos', '% Invalid input\n', 'invalid_input'],
    ['arista_eos', '% Invalid input (privileged mode required)\n', 'permission_denied'],
    ['arista_eos', '% Incomplete command\n', 'incomplete_command'],
    ['juniper_junos', '          ^\nsyntax error, expecting <command>.\n', 'invalid_input'],
    ['juniper_junos', '     ^\nunknown command.\n', 'unknown_command'],
    ['juniper_junos', "'s' is ambiguous.\nPossible completions:\n", 'ambiguous_command'],
    ['frr', '% Unknown command: show bogus\n', 'unknown_command'],
    ['frr', '% Command incomplete: show ip\n', 'incomplete_command'],
    ['cisco_ios', '% Permission denied\n', 'permission_denied'],
  ])('when %s prints %j, then it is detected as %s', (platform, output, type) => {
    const found = detectVendorError(driverFor(platform), output);

    expect(found).toMatchObject({
      detected: true,
      type,
      vendor: driverFor(platform).vendor,
      guidance: expect.stringMatching(/\w+/),
    });
    expect(found.message).not.toContain('\n');
  });

  it('when output merely mentions an error word mid-line, then nothing is detected', () => {
    const output = 'Interface is up\nDescription: % Invalid input detected is a phrase\n';

    expect(detectVendorError(driverFor('cisco_ios'), output)).toEqual({ detected: false });
    expect(detectVendorError(driverFor('linux'), 'syntax error, expecting x')).toEqual({
      detected: false,
    });
  });
});

describe('shell output cleaning', () => {
  it('when output has the echo, CRLF, a pager prompt and the trailing prompt, then only the text remains', () => {
    const raw =
      'show version\r\nline 1\r\n --More-- \b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\bline 2\r\n\r\nR1#';
    const driver = driverFor('cisco_ios');

    expect(cleanShellOutput(driver, raw, 'show version', driver.promptFromBase('R1'))).toBe(
      'line 1\nline 2',
    );
  });

  it('when Junos answers in configuration mode, then the [edit] banner and prompt are removed', () => {
    const raw = 'set system host-name x\r\n\r\n[edit]\r\nadmin@sw1# ';

    expect(cleanShellOutput(driverFor('juniper_junos'), raw, 'set system host-name x')).toBe('');
  });

  it('when a carriage return rewrites a line, then the rewritten text is kept', () => {
    expect(normaliseTerminalText('---(more 40%)---\r                \rnext line\r\n')).toBe(
      'next line\n',
    );
    expect(normaliseTerminalText('\u001b[7mbold\u001b[0m\r\n')).toBe('bold\n');
  });
});

describe('prompt patterns', () => {
  it.each<[PlatformDriver, string, string | undefined]>([
    ['cisco_ios', 'R1>', 'R1'],
    ['cisco_ios', 'core-sw.lab#', 'core-sw.lab'],
    ['cisco_ios', 'R1(config-if)#', 'R1'],
    ['cisco_nxos', 'nx9k-1# ', 'nx9k-1'],
    ['cisco_xr', 'RP/0/RP0/CPU0:xr1#', 'RP/0/RP0/CPU0:xr1'],
    ['juniper_junos', 'admin@ex4300> ', 'admin@ex4300'],
    ['juniper_junos', '{master:0}admin@ex4300# ', 'admin@ex4300'],
    ['frr', 'frr1#', 'frr1'],
    ['cisco_ios', 'Building configuration...', undefined],
  ])('when %s shows %j, then the base prompt is %s', (platform, line, base) => {
    expect(driverFor(platform).promptPattern.exec(line)?.[1]).toBe(base);
  });

  it('when the base prompt is known, then another host name no longer matches', () => {
    const strict = driverFor('cisco_ios').promptFromBase('R1');

    expect(strict.test('R1(config)#')).toBe(true);
    expect(strict.test('R10#')).toBe(false);
  });
});

describe('TextFSM parsing', () => {
  const template =
    'Value NAME (\\S+)\nValue STATUS (up|down)\n\nStart\n  ^${NAME}\\s+${STATUS} -> Record\n';
  const inline = (text: string) => ({ template: 'inline', texts: [text] });

  it('when the request names no template, then nothing is parsed and no template is reported', () => {
    // Arrange
    const request = {};

    // Act
    const outcome = parseOutput(parsingOf(request), 'Gi1 up\n');

    // Assert
    expect(outcome).toEqual({ parsedOutput: null, parseError: null, parseTemplate: null });
  });

  it('when an inline template parses the output, then records come back keyed by value names with the template named', () => {
    // Arrange
    const parsing = inline(template);

    // Act
    const outcome = parseOutput(parsing, 'Gi1 up\nGi2 down');

    // Assert
    expect(outcome).toEqual({
      parsedOutput: [
        { NAME: 'Gi1', STATUS: 'up' },
        { NAME: 'Gi2', STATUS: 'down' },
      ],
      parseError: null,
      parseTemplate: 'inline',
    });
  });

  it('when the template matches no line, then the outcome is an empty list of records, not an error', () => {
    // Arrange
    const parsing = { template: 'cisco_ios_show_interfaces.textfsm', texts: [template] };

    // Act
    const outcome = parseOutput(parsing, 'nothing to see\n');

    // Assert
    expect(outcome).toEqual({
      parsedOutput: [],
      parseError: null,
      parseTemplate: 'cisco_ios_show_interfaces.textfsm',
    });
  });

  it('when a line hits an Error action, then the error is reported with the template named instead of thrown', () => {
    // Arrange
    const strict = `${template}  ^. -> Error "unexpected line"\n`;

    // Act
    const outcome = parseOutput({ template: 'strict', texts: [strict] }, 'Gi1 up\n%% oops\n');

    // Assert
    expect(outcome.parsedOutput).toBeNull();
    expect(outcome.parseTemplate).toBe('strict');
    expect(outcome.parseError).toContain('unexpected line');
    expect(outcome.parseError).toContain('%% oops');
  });

  it('when the template does not compile, then the parse error is reported instead of thrown', () => {
    // Arrange
    const broken = inline('Value X (\n\nStart\n');

    // Act
    const outcome = parseOutput(broken, 'text');

    // Assert
    expect(outcome).toEqual({
      parsedOutput: null,
      parseError: expect.any(String),
      parseTemplate: 'inline',
    });
  });

  it('when the error quotes a very long output line, then the message is cut to its limit', () => {
    // Arrange
    const strict = 'Value X (\\d+)\n\nStart\n  ^${X} -> Record\n  ^. -> Error\n';

    // Act
    const outcome = parseOutput(inline(strict), `${'x'.repeat(50_000)}\n`);

    // Assert
    expect(outcome.parseError).toHaveLength(PARSE_ERROR_MAX_LENGTH);
  });

  it('when several templates are given, then their records are merged on the Key values like clitable', () => {
    // Arrange
    const names =
      'Value Key NAME (\\S+)\nValue STATUS (up|down)\n\nStart\n  ^${NAME}\\s+${STATUS} -> Record\n';
    const mtus =
      'Value Key NAME (\\S+)\nValue MTU (\\d+)\n\nStart\n  ^${NAME} mtu ${MTU} -> Record\n';
    const output = 'Gi1 up\nGi2 down\nGi2 mtu 9000\nGi1 mtu 1500\n';

    // Act
    const outcome = parseOutput({ template: 'a.textfsm:b.textfsm', texts: [names, mtus] }, output);

    // Assert
    expect(outcome).toEqual({
      parsedOutput: [
        { NAME: 'Gi1', STATUS: 'up', MTU: '1500' },
        { NAME: 'Gi2', STATUS: 'down', MTU: '9000' },
      ],
      parseError: null,
      parseTemplate: 'a.textfsm:b.textfsm',
    });
  });

  it('when a message from before parsing existed carries inline template text, then it is parsed as the inline template', () => {
    // Arrange
    const legacy = { parsingTemplate: template };

    // Act
    const outcome = parseOutput(parsingOf(legacy), 'Gi1 up\n');

    // Assert
    expect(outcome).toEqual({
      parsedOutput: [{ NAME: 'Gi1', STATUS: 'up' }],
      parseError: null,
      parseTemplate: 'inline',
    });
  });

  it('when a request carries both, then parsing wins; a blank legacy text means no template', () => {
    // Arrange
    const both = { parsing: { template: 'lib', texts: [template] }, parsingTemplate: 'Value X (' };

    // Act
    const preferred = parsingOf(both);
    const blank = parsingOf({ parsingTemplate: '  \n' });

    // Assert
    expect(preferred?.template).toBe('lib');
    expect(blank).toBeUndefined();
  });
});
