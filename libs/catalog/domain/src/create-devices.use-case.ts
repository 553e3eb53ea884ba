import { deviceCreateSchema } from '@toolkit/api-contracts';
import { AppError, fieldErrorsFromZod } from '@toolkit/errors';
import type { FieldErrors } from '@toolkit/errors';
import type { DeviceDoc, InterfaceDoc, IpAddressDoc } from './entities';
import type { RequestContext } from './ports';
import { throwIfInvalid } from '@toolkit/errors';
import { Batch } from './resource-service';
import type { Presented } from './resource-service';
import type { CatalogServices } from './resources';

/**
 * Creates devices with their nested interfaces and IP addresses (an inventory load, or a
 * NetBox export replayed as bulk POSTs), all or nothing: every device, interface and
 * address is validated and built first; then devices, interfaces and addresses are
 * inserted in that order, in one write transaction: a failure (or a crash) undoes
 * whatever was inserted.
 * Nested primary IPs are written as addresses (`"10.0.0.1/24"`), matched among the
 * device's nested addresses.
 */
export function createDevices(
  services: CatalogServices,
  bodies: readonly unknown[],
  ctx: RequestContext,
  bulk: boolean,
): Promise<Presented[]> {
  return services.devices.transaction(() => createDevicesNow(services, bodies, ctx, bulk));
}

async function createDevicesNow(
  services: CatalogServices,
  bodies: readonly unknown[],
  ctx: RequestContext,
  bulk: boolean,
): Promise<Presented[]> {
  const parsed = bodies.map((body) =>
    deviceCreateSchema.safeParse(body ?? {}, { reportInput: true }),
  );
  throwIfInvalid(
    parsed.map((p) => (p.success ? {} : fieldErrorsFromZod(p.error))),
    { bulk },
  );
  const inputs = parsed.map((p) => (p.success ? p.data : undefined)).filter((i) => i !== undefined);
  if (!inputs.some((i) => i.interfaces !== undefined))
    return services.devices.create(bodies, ctx, bulk);

  const batch = new Batch();
  // Primary IPs written as addresses are resolved once the nested addresses have ids.
  const deviceBodies = inputs.map(({ interfaces: _interfaces, ...device }) => ({
    ...device,
    primary_ip4: typeof device.primary_ip4 === 'string' ? null : device.primary_ip4,
    primary_ip6: typeof device.primary_ip6 === 'string' ? null : device.primary_ip6,
  }));
  const devices = await services.devices.prepareCreate(deviceBodies, ctx, { batch, bulk });

  const interfaceBodies: unknown[] = [];
  const interfaceOwner: number[] = [];
  inputs.forEach((input, i) => {
    for (const { ip_addresses: _ips, ...iface } of input.interfaces ?? []) {
      interfaceBodies.push({ ...iface, device: devices[i]?.doc._id });
      interfaceOwner.push(i);
    }
  });
  const interfaces = await nested(
    () =>
      services.interfaces.prepareCreate(
        interfaceBodies,
        { ...ctx, constraints: null },
        { batch, bulk: true },
      ),
    'interfaces',
    interfaceOwner,
    bulk,
  );

  const ipBodies: unknown[] = [];
  const ipOwner: number[] = [];
  let position = 0;
  inputs.forEach((input, i) => {
    for (const iface of input.interfaces ?? []) {
      const interfaceId = interfaces[position++]?.doc._id;
      for (const ip of iface.ip_addresses ?? []) {
        ipBodies.push({
          ...ip,
          assigned_object_type: 'dcim.interface',
          assigned_object_id: interfaceId,
        });
        ipOwner.push(i);
      }
    }
  });
  const ips = await nested(
    () =>
      services.ipAddresses.prepareCreate(
        ipBodies,
        { ...ctx, constraints: null },
        { batch, bulk: true },
      ),
    'ip_addresses',
    ipOwner,
    bulk,
  );

  const errors: FieldErrors[] = inputs.map(() => ({}));
  inputs.forEach((input, i) => {
    const deviceDoc = devices[i]?.doc as DeviceDoc;
    for (const [field, family] of [
      ['primary_ip4', 4],
      ['primary_ip6', 6],
    ] as const) {
      const wanted = input[field];
      if (typeof wanted !== 'string') continue;
      const match = ips
        .map((b) => b.doc)
        .find(
          (ip) =>
            ip.assigned_object?.device.id === deviceDoc._id &&
            ip.family === family &&
            (ip.address === wanted || ip.address.split('/')[0] === wanted),
        );
      if (match) deviceDoc[field] = { id: match._id, address: match.address };
      else
        (errors[i] as FieldErrors)[field] = [
          `${wanted} is not one of this device's IPv${family} addresses.`,
        ];
    }
  });
  throwIfInvalid(errors, { bulk });

  const deviceDocs = devices.map((d) => d.doc);
  const interfaceDocs = interfaces.map((d) => d.doc);
  const ipDocs = ips.map((d) => d.doc);
  await services.devices.insertAll(deviceDocs);
  await services.interfaces.insertAll(interfaceDocs);
  await services.ipAddresses.insertAll(ipDocs);
  await services.devices.recordChanges(
    'created',
    devices.map((d) => ({ before: undefined, after: d.doc })),
    ctx,
  );
  await services.interfaces.recordChanges(
    'created',
    interfaces.map((d) => ({ before: undefined, after: d.doc as InterfaceDoc })),
    ctx,
  );
  await services.ipAddresses.recordChanges(
    'created',
    ips.map((d) => ({ before: undefined, after: d.doc as IpAddressDoc })),
    ctx,
  );
  return devices.map((d) => services.devices.def.present(d.doc, ctx.baseUrl));
}

/** Runs a nested prepare step and re-files its per-item errors under the owning device. */
async function nested<T>(
  prepare: () => Promise<T>,
  field: string,
  owner: readonly number[],
  bulk: boolean,
): Promise<T> {
  try {
    return await prepare();
  } catch (error) {
    if (!(error instanceof AppError) || error.category !== 'validation') throw error;
    const items = error.details?.items ?? [error.fieldErrors ?? {}];
    const devices = Math.max(0, ...owner) + 1;
    const errors: FieldErrors[] = Array.from({ length: devices }, () => ({}));
    const seen = new Map<number, number>();
    items.forEach((itemErrors, index) => {
      const device = owner[index] ?? 0;
      const position = seen.get(device) ?? 0;
      seen.set(device, position + 1);
      for (const [key, messages] of Object.entries(itemErrors))
        ((errors[device] as FieldErrors)[`${field}.${position}.${key}`] ??= []).push(...messages);
    });
    throwIfInvalid(errors, { bulk });
    throw error;
  }
}
