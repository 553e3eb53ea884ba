import { PERMISSION_ACTIONS, PERMISSION_OBJECT_TYPES } from '@toolkit/api-contracts';

/**
 * Object types and actions of the permission model, named as NetBox names them
 * (`<app_label>.<model>`), so permissions exported from NetBox read the same here.
 */
export const OBJECT_TYPES = PERMISSION_OBJECT_TYPES;
export type ObjectType = (typeof OBJECT_TYPES)[number];

export const CRUD_ACTIONS = ['view', 'add', 'change', 'delete'] as const;
export const EXECUTE_ACTIONS = ['execute_show', 'execute_config'] as const;
export const ACTIONS = PERMISSION_ACTIONS;
export type Action = (typeof ACTIONS)[number];

/** Actions that change state: refused to read-only tokens. */
export const WRITE_ACTIONS: ReadonlySet<Action> = new Set<Action>([
  'add',
  'change',
  'delete',
  'execute_show',
  'execute_config',
]);

export function isObjectType(value: string): value is ObjectType {
  return (OBJECT_TYPES as readonly string[]).includes(value);
}

export function isAction(value: string): value is Action {
  return (ACTIONS as readonly string[]).includes(value);
}

/** DRF's mapping: GET/HEAD/OPTIONS view, POST add, PUT/PATCH change, DELETE delete. */
export function actionForMethod(method: string): Action {
  switch (method.toUpperCase()) {
    case 'POST':
      return 'add';
    case 'PUT':
    case 'PATCH':
      return 'change';
    case 'DELETE':
      return 'delete';
    default:
      return 'view';
  }
}

/** Whether an HTTP method writes (read-only tokens may only use the others). */
export function isWriteMethod(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}
