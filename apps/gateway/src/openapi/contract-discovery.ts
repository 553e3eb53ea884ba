import { z } from 'zod';
import * as contracts from '@toolkit/api-contracts';
import type { ListSpec } from '@toolkit/netbox-list';

/**
 * The OpenAPI document grows with @toolkit/api-contracts: schemas and list specs are found
 * by the naming convention the resource contracts follow (`deviceSchema`,
 * `deviceCreateSchema`, `deviceUpdateSchema`, `deviceListSpec`, `deviceWriteSchema`).
 */
const exported = contracts as unknown as Record<string, unknown>;

export function contractSchema(name: string | undefined): z.ZodType | undefined {
  if (!name) return undefined;
  const value = exported[name];
  return value instanceof z.ZodType ? value : undefined;
}

export function isListSpec(value: unknown): value is ListSpec {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as ListSpec).filters) &&
    typeof (value as ListSpec).ordering === 'object'
  );
}

export interface ResourceContracts {
  read?: z.ZodType;
  create?: z.ZodType;
  update?: z.ZodType;
  listSpec?: ListSpec;
}

export function resourceContracts(resource: string): ResourceContracts {
  const first = (...names: string[]) => names.map(contractSchema).find((s) => s !== undefined);
  const listSpec = [`${resource}ListSpec`, `${resource}sListSpec`]
    .map((n) => exported[n])
    .find(isListSpec);
  return {
    read: first(`${resource}Schema`),
    create: first(
      `${resource}CreateSchema`,
      `${resource}WriteSchema`,
      `writable${resource[0]?.toUpperCase()}${resource.slice(1)}Schema`,
    ),
    update: first(`${resource}UpdateSchema`, `${resource}WriteSchema`),
    listSpec,
  };
}

/** List specs by permission object type, to validate constraints when permissions are written. */
export function constraintSpecs(
  resources: readonly { objectType: string; resource: string }[],
): Map<string, ListSpec> {
  const map = new Map<string, ListSpec>();
  for (const { objectType, resource } of resources) {
    const spec = resourceContracts(resource).listSpec;
    if (spec) map.set(objectType, spec);
  }
  map.set('users.user', contracts.userListSpec);
  map.set('users.group', contracts.groupListSpec);
  map.set('users.objectpermission', contracts.objectPermissionListSpec);
  map.set('users.token', contracts.tokenListSpec);
  return map;
}
