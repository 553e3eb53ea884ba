import type { BulkRenderRequest, RenderRequest, RenderResponse } from '@toolkit/api-contracts';
import type { DeviceCredentials, PlatformDriver } from '@toolkit/contracts';
import { AppError, isAppError } from '@toolkit/errors';
import type { ErrorCategory } from '@toolkit/errors';
import type { CredentialTokens, ResolvedCredentials } from './credential-tokens.use-case';
import type { CommandDoc, DeviceDoc, PlatformDoc } from './entities';
import type { ParsingTemplates } from './parsing-templates';
import type { RequestContext, SecretBox } from './ports';
import type { CatalogServices } from './resources';
import {
  MAX_RENDERED_LENGTH,
  bareAddress,
  needsDeviceData,
  renderCommand,
  variableChoices,
} from './variable-rendering';
import type { DeviceContext, RenderOutcome, VariableProblem } from './variable-rendering';

/** One item of a render: what differs between the items of a bulk render. */
export type RenderItem = BulkRenderRequest['items'][number];

/** An object a refused item named, if its requester may execute (command) or view (device) it. */
export interface NamedRef {
  id: number;
  name: string;
}

/**
 * A bulk render's answer, aligned with its items: each rendered, or refused with the error
 * `render` would have thrown for it (the transport turns it into a status and body).
 */
export interface BulkRenderOutcome {
  results: (
    { rendered: RenderResponse } | { refused: AppError; command?: NamedRef; device?: NamedRef }
  )[];
}

/**
 * From this many distinct devices, a bulk render reads them in one query rather than one by
 * one. FerretDB 1.24 answers an `_id` equality with a scan in PostgreSQL (C, a few ms) and an
 * `$in` by decoding every device in Go (about 0.1 ms each): one query pays off from some 50
 * devices in an inventory of thousands. MongoDB 7 serves both from the `_id` index.
 */
export const PREFETCH_DEVICES_FROM = 64;

/** Items of a bulk render in progress at once (reads are shared; this overlaps them). */
export const BULK_RENDER_CONCURRENCY = 16;

/**
 * Failures of the service rather than of an item (storage down, a bug): they fail the
 * whole call instead of being reported per item.
 */
const FAILS_THE_CALL: ReadonlySet<ErrorCategory> = new Set<ErrorCategory>([
  'unavailable',
  'internal',
]);

/**
 * The reads of one render call, each made once: the command's verdict per command id, the
 * device per device id, the platform per platform id, the device's data per device id and a
 * credential token per (token, platform). A failure is kept like a value, so every item
 * naming a missing device gets the same error.
 */
interface RenderReads {
  /** Reads the visible ones of `ids` at once (the rest are read, and refused, one by one). */
  prefetchDevices(ids: readonly number[]): Promise<void>;
  executableCommand(id: number): Promise<CommandDoc>;
  visibleDevice(id: number): Promise<DeviceDoc>;
  platformOf(device: DeviceDoc): Promise<PlatformDoc | undefined>;
  deviceContext(device: DeviceDoc): Promise<DeviceContext>;
  credentials(token: string, device: DeviceDoc): Promise<ResolvedCredentials>;
}

/**
 * What executions are made of: a command rendered for a device (variables checked against
 * the device's interfaces, VLANs and addresses), the device's SSH target, and its login
 * sealed for the executors. Decrypted credentials leave the catalog only inside that box.
 */
export class RenderCommand {
  constructor(
    private readonly services: CatalogServices,
    private readonly credentials: CredentialTokens,
    /** EXECUTION_KEYS: shared with the executors. */
    private readonly executionBox: SecretBox,
    private readonly templates: ParsingTemplates,
  ) {}

  /**
   * Checks in the order the API promises, each failing on its own: the execute permission
   * of the command's type and its constraints, `view` on the device, the variables (with
   * the operators of the device's platform refused), the device's platform and SSH target,
   * then the credentials.
   */
  render(request: RenderRequest, ctx: RequestContext): Promise<RenderResponse> {
    return this.renderItem(request, this.reads(request, ctx));
  }

  /**
   * Many renders for one requester: each item checked as `render` checks one, the reads
   * shared between the items (`RenderReads`; from PREFETCH_DEVICES_FROM devices, those it
   * may see read at once first), `concurrency` items at a time (1: one after the other). An item's refusal is answered in its place; a failure of the service (see
   * `FAILS_THE_CALL`) fails the whole call and no further item is started.
   */
  async renderMany(
    request: BulkRenderRequest,
    ctx: RequestContext,
    { concurrency = BULK_RENDER_CONCURRENCY }: { concurrency?: number } = {},
  ): Promise<BulkRenderOutcome> {
    const reads = this.reads(request, ctx);
    await reads.prefetchDevices([...new Set(request.items.map((item) => item.device_id))]);
    const results: BulkRenderOutcome['results'] = new Array(request.items.length);
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (!failed && next < request.items.length) {
        const index = next++;
        const item = request.items[index] as RenderItem;
        try {
          results[index] = { rendered: await this.renderItem(item, reads) };
        } catch (error) {
          if (!isAppError(error) || FAILS_THE_CALL.has(error.category)) {
            failed = true;
            throw error;
          }
          // Reported by name where the requester may see it: the reads are this call's,
          // already settled (a hidden or missing one was refused, and is left unnamed).
          const named = (read: Promise<{ _id: number; name: string }>) =>
            read.then(
              (doc): NamedRef => ({ id: doc._id, name: doc.name }),
              () => undefined,
            );
          const [command, device] = await Promise.all([
            named(reads.executableCommand(item.command_id)),
            named(reads.visibleDevice(item.device_id)),
          ]);
          results[index] = {
            refused: error,
            ...(command && { command }),
            ...(device && { device }),
          };
        }
      }
    };
    const workers = Math.max(1, Math.min(concurrency, request.items.length));
    await Promise.all(Array.from({ length: workers }, worker));
    return { results };
  }

  /** The checks of one item (see `render`), reading through `reads`. */
  private async renderItem(item: RenderItem, reads: RenderReads): Promise<RenderResponse> {
    // Independent reads run together; their verdicts are given in the order above.
    const commandRead = reads.executableCommand(item.command_id);
    const deviceRead = reads.visibleDevice(item.device_id);
    deviceRead.catch(() => undefined); // reported below, after the command's verdict
    const command = await commandRead;
    const device = await deviceRead;
    const platform = await reads.platformOf(device);
    const outcome = await this.renderFor(
      command,
      device,
      item.variables ?? {},
      platform?.driver ?? undefined,
      (d) => reads.deviceContext(d),
    );
    if (outcome.rendered === null) throw variablesError(outcome.problems);
    const target = this.target(command, device, platform);

    let login: DeviceCredentials;
    let credentialSet: { id: number; name: string } | null = null;
    if ('credential_token' in item.credentials) {
      const resolved = await reads.credentials(item.credentials.credential_token, device);
      login = {
        username: resolved.username,
        password: resolved.password,
        ...(resolved.enableSecret ? { enableSecret: resolved.enableSecret } : {}),
      };
      credentialSet = resolved.set;
    } else {
      const { username, password, enable_secret } = item.credentials;
      login = { username, password, ...(enable_secret ? { enableSecret: enable_secret } : {}) };
    }
    const parsing = await this.templates.resolve(
      command.parsing_template,
      target.driver,
      outcome.rendered,
    );
    return {
      rendered_command: outcome.rendered,
      variables: outcome.values,
      command: {
        id: command._id,
        name: command.name,
        command_type: command.command_type,
      },
      parsing,
      device: {
        id: device._id,
        name: device.name,
        host: target.host,
        port: device.port,
        platform: target.driver,
      },
      // Per item: the AAD is the item's execution id.
      credentials: this.executionBox.seal(login, item.execution_id),
      username: login.username,
      credential_set: credentialSet,
    };
  }

  /** Fresh reads for one call (one `render`, or one `renderMany` shared by its items). */
  private reads(
    who: Pick<RenderRequest, 'requester' | 'permissions'>,
    ctx: RequestContext,
  ): RenderReads {
    const commands = new Map<number, Promise<CommandDoc>>();
    const devices = new Map<number, Promise<DeviceDoc>>();
    const platforms = new Map<number, Promise<PlatformDoc | undefined>>();
    const contexts = new Map<number, Promise<DeviceContext>>();
    const logins = new Map<string, Promise<ResolvedCredentials>>();
    return {
      prefetchDevices: async (ids) => {
        const grant = who.permissions.view_device;
        if (grant === false || ids.length < PREFETCH_DEVICES_FROM) return;
        const found = await this.services.devices.findVisibleMany(ids, {
          ...ctx,
          constraints: grant,
        });
        for (const [id, device] of found) devices.set(id, Promise.resolve(device));
      },
      executableCommand: (id) =>
        once(commands, id, () => this.executableCommand(id, who.permissions, ctx)),
      visibleDevice: (id) =>
        once(devices, id, () => this.visibleDevice(id, who.permissions.view_device, ctx)),
      platformOf: (device) =>
        device.platform
          ? once(platforms, device.platform.id, () => this.platformOf(device))
          : Promise.resolve(undefined),
      deviceContext: (device) => once(contexts, device._id, () => this.deviceContext(device)),
      credentials: (token, device) => {
        const platform = device.platform
          ? { id: device.platform.id, name: device.platform.name }
          : null;
        // Platform first: its id has no `:`, so the key is unambiguous.
        return once(logins, `${platform?.id ?? ''}:${token}`, () =>
          this.credentials.resolve(token, who.requester.id, platform),
        );
      },
    };
  }

  /** `POST commands/{id}/validate-variables/`: what execute would say, without executing. */
  async validate(
    commandId: number,
    deviceId: number,
    variables: Record<string, string>,
    ctx: RequestContext,
  ) {
    const command = await this.command(commandId, ctx);
    const device = await this.device(deviceId);
    const platform = await this.platformOf(device);
    const outcome = await this.renderFor(
      command,
      device,
      variables,
      platform?.driver ?? undefined,
      (d) => this.deviceContext(d),
    );
    return {
      valid: outcome.rendered !== null,
      rendered_command: outcome.rendered,
      errors: Object.fromEntries(
        Object.entries(outcome.problems).map(([k, p]) => [k, [p.message]]),
      ),
      validation_details: outcome.problems,
    };
  }

  /** `GET commands/{id}/variable-choices/?device_id=N` */
  async choices(commandId: number, deviceId: number, ctx: RequestContext) {
    const command = await this.command(commandId, ctx);
    const device = await this.device(deviceId);
    const context = await this.deviceContext(device);
    return {
      device_id: device._id,
      device_name: device.name,
      command_id: command._id,
      command_name: command.name,
      variables: variableChoices(command.variables, context),
    };
  }

  private async renderFor(
    command: CommandDoc,
    device: DeviceDoc,
    variables: Record<string, string>,
    driver: PlatformDriver | undefined,
    contextOf: (device: DeviceDoc) => Promise<DeviceContext>,
  ): Promise<RenderOutcome> {
    const context = needsDeviceData(command.variables) ? await contextOf(device) : undefined;
    const outcome = renderCommand(command, context, variables, driver);
    if (outcome.rendered !== null && outcome.rendered.length > MAX_RENDERED_LENGTH) {
      const first = command.variables[0]?.name ?? 'command';
      return {
        rendered: null,
        values: outcome.values,
        problems: {
          [first]: {
            variable_type: command.variables[0]?.variable_type ?? null,
            provided_value: null,
            error_type: 'invalid_value',
            message: `The rendered command is longer than ${MAX_RENDERED_LENGTH} characters.`,
            suggestions: [],
          },
        },
      };
    }
    return outcome;
  }

  /**
   * The command, if the requester may execute it: its type names the permission
   * (`execute_show` / `execute_config`); outside that permission's constraints it does
   * not exist for them (404), as a NetBox object outside a view permission.
   */
  private async executableCommand(
    id: number,
    permissions: RenderRequest['permissions'],
    ctx: RequestContext,
  ): Promise<CommandDoc> {
    const command = await this.services.commands.repository.findById(id);
    const missing = () => AppError.notFound('command');
    if (!command) throw missing();
    const grant =
      command.command_type === 'config' ? permissions.execute_config : permissions.execute_show;
    if (grant === false) {
      // A command they may not even view does not exist for them.
      if (!(await this.isVisible(id, permissions.view_command, ctx))) throw missing();
      throw new AppError({
        code: 'execute-permission-denied',
        category: 'forbidden',
        message: `You do not have permission to execute ${
          command.command_type === 'config' ? 'configuration' : 'show'
        } commands.`,
      });
    }
    if (grant === null) return command;
    try {
      return await this.services.commands.findVisible(id, { ...ctx, constraints: grant });
    } catch (error) {
      if (error instanceof AppError && error.category === 'not_found') throw missing();
      throw error;
    }
  }

  private async isVisible(
    id: number,
    grant: RenderRequest['permissions']['view_command'],
    ctx: RequestContext,
  ): Promise<boolean> {
    if (grant === false) return false;
    if (grant === null) return true;
    try {
      await this.services.commands.findVisible(id, { ...ctx, constraints: grant });
      return true;
    } catch (error) {
      if (error instanceof AppError && error.category === 'not_found') return false;
      throw error;
    }
  }

  /** The device, if it exists and the requester may view it; else a 400 naming `device_id`. */
  private async visibleDevice(
    id: number,
    grant: RenderRequest['permissions']['view_device'],
    ctx: RequestContext,
  ): Promise<DeviceDoc> {
    const missing = () => AppError.validation({ device_id: [`Device with ID ${id} not found.`] });
    if (grant === false) throw missing();
    try {
      return await this.services.devices.findVisible(id, { ...ctx, constraints: grant });
    } catch (error) {
      if (error instanceof AppError && error.category === 'not_found') throw missing();
      throw error;
    }
  }

  /** The command if the caller may see it (404 otherwise, as NetBox answers). */
  private command(id: number, ctx: RequestContext): Promise<CommandDoc> {
    return this.services.commands.findVisible(id, ctx);
  }

  /** The device for validation and choices (a 400 naming `device_id` when missing). */
  private async device(id: number): Promise<DeviceDoc> {
    const device = await this.services.devices.repository.findById(id);
    if (device) return device;
    throw AppError.validation({ device_id: [`Device with ID ${id} not found.`] });
  }

  /** The device's platform record (its driver), if it has one. */
  private async platformOf(device: DeviceDoc): Promise<PlatformDoc | undefined> {
    if (!device.platform) return undefined;
    return (await this.services.platforms.repository.findById(device.platform.id)) ?? undefined;
  }

  /** SSH host (explicit host, else primary IPv4, else IPv6) and driver, or a 400 saying what is missing. */
  private target(
    command: CommandDoc,
    device: DeviceDoc,
    platform: PlatformDoc | undefined,
  ): { host: string; driver: PlatformDriver } {
    const fail = (message: string) => AppError.validation({ device_id: [message] });
    if (!device.platform)
      throw fail(`Device '${device.name}' must have a platform assigned for command execution.`);
    if (!platform?.driver)
      throw fail(
        `Platform '${device.platform.name}' of device '${device.name}' has no supported driver.`,
      );
    if (command.platforms.length > 0 && !command.platforms.some((p) => p.id === platform._id))
      throw fail(
        `Command '${command.name}' does not apply to platform '${platform.name}' of device '${device.name}'.`,
      );
    const host =
      device.host ??
      (device.primary_ip4 ? bareAddress(device.primary_ip4.address) : undefined) ??
      (device.primary_ip6 ? bareAddress(device.primary_ip6.address) : undefined);
    if (!host)
      throw fail(
        `Device '${device.name}' must have a primary IP address or a host for command execution.`,
      );
    return { host, driver: platform.driver };
  }

  async deviceContext(device: DeviceDoc): Promise<DeviceContext> {
    const [interfaces, siteVlans, ipAddresses] = await Promise.all([
      this.services.interfaces.repository.find({ 'device.id': device._id }),
      device.site
        ? this.services.vlans.repository.find({ 'site.id': device.site.id })
        : Promise.resolve([]),
      this.services.ipAddresses.repository.find({ 'assigned_object.device.id': device._id }),
    ]);
    return {
      device: { id: device._id, name: device.name },
      interfaces: interfaces.map((i) => ({
        id: i._id,
        name: i.name,
        type: i.type,
        enabled: i.enabled,
        untagged_vlan: i.untagged_vlan,
        tagged_vlans: i.tagged_vlans,
      })),
      siteVlans: siteVlans.map((v) => ({ id: v._id, vid: v.vid, name: v.name })),
      ipAddresses: ipAddresses.map((ip) => ({
        id: ip._id,
        address: ip.address,
        status: ip.status,
      })),
    };
  }
}

/**
 * The promise of `key` in `memo`, started by `load` on first use. A rejection is kept too
 * (observed here, so one that no item awaits is not reported as unhandled).
 */
function once<K, V>(memo: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
  let promise = memo.get(key);
  if (!promise) {
    promise = load();
    promise.catch(() => undefined);
    memo.set(key, promise);
  }
  return promise;
}

/**
 * 400 naming each variable, with the closest valid values:
 * `{"variables": {"iface": ["Interface 'Gi0/9' not found ... Did you mean: Gi0/1?"]}, "validation_details": {...}}`.
 */
export function variablesError(problems: Record<string, VariableProblem>): AppError {
  const messages = Object.fromEntries(
    Object.entries(problems).map(([name, p]) => [name, [p.message]]),
  );
  return new AppError({
    code: 'invalid-variables',
    category: 'validation',
    message: `Invalid variables: ${Object.keys(problems).join(', ')}.`,
    details: { variables: messages, validationDetails: problems },
  });
}
