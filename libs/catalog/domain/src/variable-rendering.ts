import { MAX_VARIABLE_VALUE_LENGTH } from '@toolkit/api-contracts';
import { ANY_COMMAND_OPERATOR, COMMAND_OPERATORS } from '@toolkit/contracts';
import type { PlatformDriver } from '@toolkit/contracts';
import type { VariableType } from '@toolkit/api-contracts';
import { hasControlCharacters, isVlanId } from './command-rules';
import { closestMatches } from '@toolkit/errors';

/**
 * Validation and substitution of a command's variables against one device's data. The
 * sets that validation accepts are the sets `variable-choices` offers (the original
 * offered site VLANs but accepted interface VLANs too, and crashed on IPs).
 */
export interface CommandVariable {
  id: number;
  name: string;
  display_name: string;
  variable_type: VariableType;
  required: boolean;
  help_text: string;
  default_value: string;
  /** Values may contain the platform's command operators (see COMMAND_OPERATORS). */
  allow_operators?: boolean;
}

export interface VlanRef {
  id: number;
  vid: number;
  name: string;
}

export interface DeviceContext {
  device: { id: number; name: string };
  interfaces: {
    id: number;
    name: string;
    type: string;
    enabled: boolean;
    untagged_vlan: VlanRef | null;
    tagged_vlans: VlanRef[];
  }[];
  /** VLANs of the device's site. */
  siteVlans: VlanRef[];
  /** IP addresses assigned to the device's interfaces (CIDR). */
  ipAddresses: { id: number; address: string; status: string }[];
}

export type VariableErrorType =
  'missing' | 'unknown_variable' | 'invalid_value' | 'netbox_data_validation';

export interface VariableProblem {
  variable_type: VariableType | null;
  provided_value: string | null;
  error_type: VariableErrorType;
  message: string;
  suggestions: string[];
}

export interface RenderOutcome {
  /** Null when any variable is invalid. */
  rendered: string | null;
  /** The values substituted (defaults applied). */
  values: Record<string, string>;
  problems: Record<string, VariableProblem>;
}

export const MAX_RENDERED_LENGTH = 4_096;
const NETBOX_TYPES: ReadonlySet<VariableType> = new Set([
  'netbox_interface',
  'netbox_vlan',
  'netbox_vlan_name',
  'netbox_ip',
]);

export function needsDeviceData(variables: readonly CommandVariable[]): boolean {
  return variables.some((v) => NETBOX_TYPES.has(v.variable_type));
}

export function renderCommand(
  command: { command: string; variables: readonly CommandVariable[] },
  context: DeviceContext | undefined,
  given: Readonly<Record<string, string>>,
  /** The device's driver (its operators are refused in values); undefined: any platform's. */
  driver?: PlatformDriver,
): RenderOutcome {
  const problems: Record<string, VariableProblem> = {};
  const values: Record<string, string> = {};
  const known = new Map(command.variables.map((v) => [v.name, v]));

  for (const [name, value] of Object.entries(given)) {
    if (known.has(name)) continue;
    const names = [...known.keys()];
    problems[name] = {
      variable_type: null,
      provided_value: value,
      error_type: 'unknown_variable',
      message:
        names.length === 0
          ? `Unknown variable "${name}": this command takes no variables.`
          : `Unknown variable "${name}". This command's variables: ${names.join(', ')}.`,
      suggestions: closestMatches(name, names),
    };
  }

  for (const variable of command.variables) {
    const raw = given[variable.name];
    const value = raw === undefined || raw.trim() === '' ? variable.default_value : raw;
    const problem = checkValue(variable, value, context, driver);
    if (problem) problems[variable.name] = problem;
    else values[variable.name] = normaliseValue(variable.variable_type, value);
  }

  if (Object.keys(problems).length > 0) return { rendered: null, values, problems };
  const rendered = command.command.replace(/<([a-zA-Z][a-zA-Z0-9_]*)>/g, (whole, name: string) =>
    known.has(name) ? (values[name] ?? '') : whole,
  );
  return { rendered, values, problems };
}

function checkValue(
  variable: CommandVariable,
  value: string,
  context: DeviceContext | undefined,
  driver: PlatformDriver | undefined,
): VariableProblem | undefined {
  const problem = (
    error_type: VariableErrorType,
    message: string,
    suggestions: string[] = [],
  ): VariableProblem => ({
    variable_type: variable.variable_type,
    provided_value: value === '' ? null : value,
    error_type,
    message,
    suggestions,
  });
  if (value === '')
    return variable.required ? problem('missing', 'This variable is required.') : undefined;
  if (hasControlCharacters(value))
    return problem(
      'invalid_value',
      'The value must not contain line breaks or control characters.',
    );
  const operators = driver ? COMMAND_OPERATORS[driver] : undefined;
  if (!variable.allow_operators && (operators?.pattern ?? ANY_COMMAND_OPERATOR).test(value))
    return problem(
      'invalid_value',
      `The value must not contain ${operators?.shown ?? 'command operators'} on this ` +
        "device's platform: they would change what the command does (a pipe can redirect " +
        "output elsewhere). The command's author can allow them for this variable " +
        '(allow_operators).',
    );
  if (value.length > MAX_VARIABLE_VALUE_LENGTH)
    return problem(
      'invalid_value',
      `Ensure this value has at most ${MAX_VARIABLE_VALUE_LENGTH} characters.`,
    );
  if (variable.variable_type === 'text' || !context) return undefined;

  const deviceName = context.device.name;
  const withHint = (message: string, suggestions: string[]) =>
    suggestions.length > 0 ? `${message} Did you mean: ${suggestions.join(', ')}?` : message;

  switch (variable.variable_type) {
    case 'netbox_interface': {
      const names = acceptedInterfaces(context).map((i) => i.name);
      if (names.includes(value)) return undefined;
      if (names.length === 0)
        return problem('netbox_data_validation', `Device '${deviceName}' has no interfaces.`);
      const suggestions = closestMatches(value, names);
      return problem(
        'netbox_data_validation',
        withHint(`Interface '${value}' not found on device '${deviceName}'.`, suggestions),
        suggestions,
      );
    }
    case 'netbox_vlan': {
      if (!isVlanId(value))
        return problem(
          'invalid_value',
          `VLAN ID '${value}' must be a whole number between 1 and 4094.`,
        );
      const vlans = acceptedVlans(context);
      if (vlans.some((v) => v.vid === Number(value))) return undefined;
      const suggestions = [...vlans]
        .sort(
          (a, b) =>
            Math.abs(a.vid - Number(value)) - Math.abs(b.vid - Number(value)) || a.vid - b.vid,
        )
        .slice(0, 3)
        .map((v) => String(v.vid));
      return problem(
        'netbox_data_validation',
        withHint(
          `VLAN ${Number(value)} not found on device '${deviceName}' interfaces or its site.`,
          suggestions,
        ),
        suggestions,
      );
    }
    case 'netbox_vlan_name': {
      const names = acceptedVlans(context).map((v) => v.name);
      if (names.includes(value.trim())) return undefined;
      const suggestions = closestMatches(value, names);
      return problem(
        'netbox_data_validation',
        withHint(
          `VLAN '${value}' not found on device '${deviceName}' interfaces or its site.`,
          suggestions,
        ),
        suggestions,
      );
    }
    case 'netbox_ip': {
      const addresses = acceptedIps(context).map((ip) => bareAddress(ip.address));
      const bare = bareAddress(value);
      if (addresses.some((a) => a === bare.toLowerCase())) return undefined;
      const suggestions = closestMatches(bare, addresses);
      return problem(
        'netbox_data_validation',
        withHint(`IP address '${value}' is not assigned to device '${deviceName}'.`, suggestions),
        suggestions,
      );
    }
  }
}

/** What is substituted: the bare address of an IP (`10.0.0.1/24` -> `10.0.0.1`), a VID as a number. */
export function normaliseValue(type: VariableType, value: string): string {
  if (value === '') return value;
  if (type === 'netbox_ip')
    return value.includes('/') ? value.slice(0, value.indexOf('/')).trim() : value.trim();
  if (type === 'netbox_vlan') return String(Number(value));
  if (type === 'netbox_vlan_name') return value.trim();
  return value;
}

export function bareAddress(address: string): string {
  return (address.split('/')[0] ?? '').trim().toLowerCase();
}

const natural = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

function acceptedInterfaces(context: DeviceContext) {
  return [...context.interfaces].sort((a, b) => natural.compare(a.name, b.name));
}

/** VLANs on the device's interfaces (untagged or tagged) and its site's VLANs, by VID. */
function acceptedVlans(context: DeviceContext): VlanRef[] {
  const byId = new Map<number, VlanRef>();
  for (const i of context.interfaces) {
    if (i.untagged_vlan) byId.set(i.untagged_vlan.id, i.untagged_vlan);
    for (const v of i.tagged_vlans) byId.set(v.id, v);
  }
  for (const v of context.siteVlans) byId.set(v.id, v);
  return [...byId.values()].sort((a, b) => a.vid - b.vid || a.id - b.id);
}

function acceptedIps(context: DeviceContext) {
  return [...context.ipAddresses].sort((a, b) => natural.compare(a.address, b.address));
}

export interface VariableChoice {
  value: string;
  display: string;
  id: number;
  enabled?: boolean;
  name?: string;
  vid?: number;
  status?: string;
}

/** Choices for every variable, from exactly the sets validation accepts. */
export function variableChoices(
  variables: readonly CommandVariable[],
  context: DeviceContext,
): Record<
  string,
  {
    type: VariableType;
    display_name: string;
    required: boolean;
    choices: VariableChoice[] | null;
    help_text: string;
    default_value: string;
  }
> {
  return Object.fromEntries(
    variables.map((v) => [
      v.name,
      {
        type: v.variable_type,
        display_name: v.display_name,
        required: v.required,
        choices: choicesFor(v.variable_type, context),
        help_text: v.help_text,
        default_value: v.default_value,
      },
    ]),
  );
}

function choicesFor(type: VariableType, context: DeviceContext): VariableChoice[] | null {
  switch (type) {
    case 'text':
      return null;
    case 'netbox_interface':
      return acceptedInterfaces(context).map((i) => ({
        value: i.name,
        display: `${i.name} (${i.type})`,
        id: i.id,
        enabled: i.enabled,
      }));
    case 'netbox_vlan':
      return acceptedVlans(context).map((v) => ({
        value: String(v.vid),
        display: `VLAN ${v.vid} (${v.name})`,
        id: v.id,
        name: v.name,
      }));
    case 'netbox_vlan_name':
      return acceptedVlans(context).map((v) => ({
        value: v.name,
        display: `${v.name} (VLAN ${v.vid})`,
        id: v.id,
        vid: v.vid,
      }));
    case 'netbox_ip':
      return acceptedIps(context).map((ip) => ({
        value: bareAddress(ip.address),
        display: `${ip.address} (${ip.status})`,
        id: ip.id,
        status: ip.status,
      }));
  }
}
