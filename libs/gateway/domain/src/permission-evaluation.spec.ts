import type { ObjectPermission } from './entities';
import type { PermissionSubject } from './permission-evaluation';
import { evaluatePermission, normaliseConstraints } from './permission-evaluation';
import { actionForMethod, isWriteMethod } from './object-types';

const alice: PermissionSubject = { userId: 1, groupIds: [10], isSuperuser: false, isActive: true };

function permission(overrides: Partial<ObjectPermission>): ObjectPermission {
  return {
    id: 1,
    name: 'p',
    description: '',
    enabled: true,
    objectTypes: ['toolkit.command'],
    actions: ['view'],
    constraints: null,
    userIds: [1],
    groupIds: [],
    ...overrides,
  };
}

describe('evaluatePermission', () => {
  it.each<[string, PermissionSubject, ObjectPermission[], ReturnType<typeof evaluatePermission>]>([
    [
      'a superuser without permissions may do everything',
      { ...alice, isSuperuser: true },
      [],
      { allowed: true, constraints: null },
    ],
    ['no permission at all denies', alice, [], { allowed: false }],
    [
      'an unconstrained permission assigned to the user allows everything',
      alice,
      [permission({})],
      { allowed: true, constraints: null },
    ],
    [
      'a permission assigned through a group counts',
      alice,
      [permission({ userIds: [], groupIds: [10] })],
      { allowed: true, constraints: null },
    ],
    [
      'a permission of another user or group does not count',
      alice,
      [permission({ userIds: [2], groupIds: [11] })],
      { allowed: false },
    ],
    [
      'a disabled permission does not count',
      alice,
      [permission({ enabled: false })],
      { allowed: false },
    ],
    [
      'a permission for another object type does not count',
      alice,
      [permission({ objectTypes: ['dcim.device'] })],
      { allowed: false },
    ],
    [
      'a permission for another action does not count',
      alice,
      [permission({ actions: ['add'] })],
      { allowed: false },
    ],
    [
      'one constraint object is one alternative',
      alice,
      [permission({ constraints: { command_type: 'show' } })],
      { allowed: true, constraints: [{ command_type: 'show' }] },
    ],
    [
      'a list of constraints is OR-ed',
      alice,
      [permission({ constraints: [{ command_type: 'show' }, { name__ic: 'version' }] })],
      { allowed: true, constraints: [{ command_type: 'show' }, { name__ic: 'version' }] },
    ],
    [
      'constraints of several permissions are OR-ed and deduplicated',
      alice,
      [
        permission({ constraints: { command_type: 'show' } }),
        permission({
          id: 2,
          groupIds: [10],
          userIds: [],
          constraints: [{ command_type: 'show' }, { platforms__slug: 'eos' }],
        }),
      ],
      { allowed: true, constraints: [{ command_type: 'show' }, { platforms__slug: 'eos' }] },
    ],
    [
      'one unconstrained grant beside constrained ones lifts the constraints',
      alice,
      [
        permission({ constraints: { command_type: 'show' } }),
        permission({ id: 2, constraints: null }),
      ],
      { allowed: true, constraints: null },
    ],
    [
      'an empty constraint object means no constraint',
      alice,
      [permission({ constraints: {} })],
      { allowed: true, constraints: null },
    ],
    [
      'an inactive user is denied even as superuser',
      { ...alice, isSuperuser: true, isActive: false },
      [],
      { allowed: false },
    ],
  ])('when %s, then the decision follows', (_name, subject, permissions, expected) => {
    expect(evaluatePermission(subject, permissions, 'toolkit.command', 'view')).toEqual(expected);
  });

  it('when the action is execute_show, then a permission with only add does not grant it', () => {
    expect(
      evaluatePermission(
        alice,
        [permission({ actions: ['add'] })],
        'toolkit.command',
        'execute_show',
      ),
    ).toEqual({ allowed: false });
  });
});

describe('normaliseConstraints', () => {
  it.each([
    [null, null],
    [[], null],
    [[{ a: 1 }, {}], null],
    [{ a: 1 }, [{ a: 1 }]],
    [
      [{ a: 1 }, { b: 2 }],
      [{ a: 1 }, { b: 2 }],
    ],
  ])('when the constraints are %j, then they normalise to %j', (input, expected) => {
    expect(normaliseConstraints(input)).toEqual(expected);
  });
});

describe('actionForMethod and isWriteMethod', () => {
  it.each([
    ['GET', 'view', false],
    ['HEAD', 'view', false],
    ['OPTIONS', 'view', false],
    ['POST', 'add', true],
    ['PUT', 'change', true],
    ['PATCH', 'change', true],
    ['DELETE', 'delete', true],
  ])('when the method is %s, then the action is %s (write: %s)', (method, action, write) => {
    expect(actionForMethod(method)).toBe(action);
    expect(isWriteMethod(method)).toBe(write);
  });
});
