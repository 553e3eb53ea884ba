import type { Action, ObjectType } from './object-types';
import type { ConstraintFilter, ObjectPermission } from './entities';

/** Who is asking, as far as permissions go. */
export interface PermissionSubject {
  userId: number;
  groupIds: readonly number[];
  isSuperuser: boolean;
  isActive: boolean;
}

/**
 * The outcome of evaluating permissions for one object type and action:
 * - `denied`: no enabled permission grants it;
 * - `allowed` with `constraints: null`: every object (superuser, or a permission with no
 *   constraint);
 * - `allowed` with a list of filters: only objects matching at least one of them (OR).
 */
export type PermissionDecision =
  { allowed: false } | { allowed: true; constraints: ConstraintFilter[] | null };

/**
 * NetBox's evaluation: superusers may do everything; otherwise the enabled permissions
 * assigned to the user or to one of its groups that name the object type and the action
 * grant it, their constraints OR-ed; one unconstrained grant makes the whole grant
 * unconstrained. An empty constraint object (`{}`) or list means "no constraint" too.
 */
export function evaluatePermission(
  subject: PermissionSubject,
  permissions: readonly ObjectPermission[],
  objectType: ObjectType,
  action: Action,
): PermissionDecision {
  if (!subject.isActive) return { allowed: false };
  if (subject.isSuperuser) return { allowed: true, constraints: null };
  const groups = new Set(subject.groupIds);
  const grants = permissions.filter(
    (p) =>
      p.enabled &&
      p.objectTypes.includes(objectType) &&
      p.actions.includes(action) &&
      (p.userIds.includes(subject.userId) || p.groupIds.some((g) => groups.has(g))),
  );
  if (grants.length === 0) return { allowed: false };
  const alternatives: ConstraintFilter[] = [];
  for (const grant of grants) {
    const list = normaliseConstraints(grant.constraints);
    if (list === null) return { allowed: true, constraints: null };
    alternatives.push(...list);
  }
  return { allowed: true, constraints: dedupe(alternatives) };
}

/** A constraint value as a list of filters, or null when it does not constrain. */
export function normaliseConstraints(
  constraints: ConstraintFilter | readonly ConstraintFilter[] | null | undefined,
): ConstraintFilter[] | null {
  if (constraints === null || constraints === undefined) return null;
  const list = Array.isArray(constraints) ? [...constraints] : [constraints as ConstraintFilter];
  // An empty filter matches everything: an alternative that matches everything wins the OR.
  if (list.length === 0 || list.some((c) => Object.keys(c).length === 0)) return null;
  return list;
}

function dedupe(filters: ConstraintFilter[]): ConstraintFilter[] {
  const seen = new Set<string>();
  return filters.filter((f) => {
    const key = JSON.stringify(f);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
