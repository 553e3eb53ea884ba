import type { ListSpec } from './list-spec';
import {
  allOf,
  constraintsFilter,
  parseDateTime,
  parseFilterObject,
  parseListQuery,
} from './parse-list-query';

const spec: ListSpec = {
  filters: [
    { name: 'id', path: '_id', type: 'integer' },
    { name: 'name', type: 'string' },
    { name: 'command_type', type: 'enum', choices: ['show', 'config'] },
    { name: 'platform_id', path: 'platforms', type: 'integer' },
    { name: 'success', type: 'boolean' },
    { name: 'created', type: 'datetime' },
  ],
  aliases: {
    name_icontains: 'name__ic',
    created_after: 'created__gte',
    created_before: 'created__lte',
  },
  ordering: { id: '_id', name: 'name', created: 'created' },
  defaultOrdering: ['name'],
  search: ['name', 'description'],
  passthrough: ['format'],
};

const parse = (query: string) => parseListQuery(spec, new URLSearchParams(query));

function fieldErrors(query: string): unknown {
  try {
    parse(query);
  } catch (error) {
    return (error as { fieldErrors?: unknown }).fieldErrors;
  }
  throw new Error('expected a validation error');
}

describe('parseListQuery', () => {
  it('when no parameters are given, then defaults apply: 50 per page, default ordering with an id tiebreaker', () => {
    expect(parse('')).toEqual({
      filter: {},
      sort: [
        ['name', 1],
        ['_id', 1],
      ],
      limit: 50,
      offset: 0,
      brief: false,
      fields: undefined,
      omit: undefined,
      passthrough: {},
    });
  });

  it.each([
    ['name=R1', { name: 'R1' }],
    ['name=R1&name=R2', { name: { $in: ['R1', 'R2'] } }],
    ['name__n=R1&name__n=R2', { name: { $nin: ['R1', 'R2'] } }],
    ['name__ic=ver', { name: { $regex: 'ver', $options: 'i' } }],
    ['name__ic=a.b', { name: { $regex: 'a\\.b', $options: 'i' } }],
    [
      'name__ic=a&name__ic=b',
      { $or: [{ name: { $regex: 'a', $options: 'i' } }, { name: { $regex: 'b', $options: 'i' } }] },
    ],
    ['name__nic=x', { $nor: [{ name: { $regex: 'x', $options: 'i' } }] }],
    ['name__isw=show', { name: { $regex: '^show', $options: 'i' } }],
    ['name__nisw=show', { $nor: [{ name: { $regex: '^show', $options: 'i' } }] }],
    ['name__iew=brief', { name: { $regex: 'brief$', $options: 'i' } }],
    ['name__niew=brief', { $nor: [{ name: { $regex: 'brief$', $options: 'i' } }] }],
    ['name__ie=R1', { name: { $regex: '^R1$', $options: 'i' } }],
    ['name__nie=R1', { $nor: [{ name: { $regex: '^R1$', $options: 'i' } }] }],
    ['name__empty=true', { name: { $in: ['', null] } }],
    ['name__empty=false', { name: { $nin: ['', null] } }],
    ['name__isnull=true', { name: null }],
    ['name__isnull=false', { name: { $ne: null } }],
    ['id=5', { _id: 5 }],
    ['id__gt=5', { _id: { $gt: 5 } }],
    ['id__gte=5', { _id: { $gte: 5 } }],
    ['id__lt=5', { _id: { $lt: 5 } }],
    ['id__lte=5', { _id: { $lte: 5 } }],
    ['platform_id=3', { platforms: 3 }],
    ['success=false', { success: false }],
    ['command_type=show', { command_type: 'show' }],
    ['name_icontains=ver', { name: { $regex: 'ver', $options: 'i' } }],
    ['created_after=2026-01-02', { created: { $gte: new Date('2026-01-02T00:00:00Z') } }],
    [
      'q=core',
      {
        $or: [
          { name: { $regex: 'core', $options: 'i' } },
          { description: { $regex: 'core', $options: 'i' } },
        ],
      },
    ],
  ])('when filtering with %s, then the filter is %j', (query, filter) => {
    expect(parse(query).filter).toEqual(filter);
  });

  it('when several filters are given, then they are AND-ed', () => {
    expect(parse('name=R1&success=true').filter).toEqual({
      $and: [{ name: 'R1' }, { success: true }],
    });
  });

  it.each([
    ['nmae=R1', { nmae: ['Unknown filter parameter.'] }],
    ['name__gt=R1', { name__gt: ['Unknown filter parameter.'] }],
    ['id=abc', { id: ['Enter a whole number.'] }],
    ['success=maybe', { success: ['"maybe" is not a valid boolean.'] }],
    ['created__gte=yesterday', { created__gte: ['Enter a valid date/time.'] }],
    [
      'command_type=reload',
      { command_type: ['Select a valid choice. reload is not one of the available choices.'] },
    ],
    ['limit=ten', { limit: ['Enter a whole number.'] }],
    ['offset=-1', { offset: ['Enter a whole number.'] }],
    ['ordering=-nope', { ordering: ['Invalid ordering field: -nope.'] }],
    ['nmae=1&id=x', { nmae: ['Unknown filter parameter.'], id: ['Enter a whole number.'] }],
    // Names that Object.prototype holds are no filters, aliases or orderings either.
    ['__proto__=1', { ['__proto__']: ['Unknown filter parameter.'] }],
    ['constructor=1', { constructor: ['Unknown filter parameter.'] }],
    ['toString__ic=1', { toString__ic: ['Unknown filter parameter.'] }],
    ['ordering=constructor', { ordering: ['Invalid ordering field: constructor.'] }],
    ['ordering=-__proto__', { ordering: ['Invalid ordering field: -__proto__.'] }],
    ['name=a%00b', { name: ['Null characters are not allowed.'] }],
    ['q=%00', { q: ['Null characters are not allowed.'] }],
  ])('when the query is %s, then it is refused naming the parameter', (query, errors) => {
    expect(fieldErrors(query)).toEqual(errors);
  });

  it.each([
    ['limit=10&offset=20', 10, 20],
    ['limit=0', 1000, 0],
    ['limit=5000', 1000, 0],
    ['limit=100000000000000000000000000', 1000, 0],
  ])('when paging with %s, then limit is %i and offset %i', (query, limit, offset) => {
    expect(parse(query)).toMatchObject({ limit, offset });
  });

  it("when the documentation's `search` is given, then it searches as `q` does", () => {
    expect(parse('search=core').filter).toEqual(parse('q=core').filter);
  });

  it('when ordering by several fields, then each direction is kept in order', () => {
    expect(parse('ordering=-created,name').sort).toEqual([
      ['created', -1],
      ['name', 1],
      ['_id', 1],
    ]);
  });

  it('when brief, fields, omit and passthrough parameters are given, then they are returned, not treated as filters', () => {
    expect(parse('brief=1&fields=id,name&omit=url&format=csv')).toMatchObject({
      brief: true,
      fields: ['id', 'name'],
      omit: ['url'],
      passthrough: { format: ['csv'] },
      filter: {},
    });
  });
});

describe('parseFilterObject (permission constraints)', () => {
  it('when constraints are a list, then the alternatives are OR-ed', () => {
    expect(parseFilterObject(spec, [{ command_type: 'show' }, { name__ic: 'version' }])).toEqual({
      $or: [{ command_type: 'show' }, { name: { $regex: 'version', $options: 'i' } }],
    });
  });

  it('when a constraint names an unknown field, then it is refused', () => {
    expect(() => parseFilterObject(spec, { colour: 'red' })).toThrow(
      /colour: Unknown filter parameter/,
    );
  });

  it.each([
    [{ name: { $ne: 'x' } }, 'name', 'Must be a string, number or boolean, or a list of them.'],
    [{ name: null }, 'name', 'Must be a string, number or boolean, or a list of them.'],
    [{ name: ['a', ['b']] }, 'name', 'Must be a string, number or boolean, or a list of them.'],
    [{ name__ic: [] }, 'name__ic', 'This list may not be empty.'],
    [{ command_type: 'shw' }, 'command_type', expect.stringContaining('shw')],
  ])('when a constraint value is %j, then it is refused naming %s', (constraint, key, message) => {
    let error: unknown;
    try {
      parseFilterObject(spec, constraint);
    } catch (caught) {
      error = caught;
    }
    expect((error as { fieldErrors?: Record<string, string[]> }).fieldErrors).toEqual({
      [key]: [message],
    });
  });
});

describe('constraintsFilter', () => {
  it('when there are no constraints, then nothing is restricted; an empty list grants nothing', () => {
    expect(constraintsFilter(spec, null, 'commands')).toBeUndefined();
    expect(constraintsFilter(spec, undefined, 'commands')).toBeUndefined();
    expect(constraintsFilter(spec, [], 'commands')).toEqual({ _id: { $in: [] } });
  });

  it('when constraints do not apply to the list, then the request is refused, not widened', () => {
    expect(() => constraintsFilter(spec, [{ colour: 'red' }], 'commands')).toThrow(
      expect.objectContaining({
        category: 'forbidden',
        message: 'Your permission constraints do not apply to commands.',
      }),
    );
  });

  it('when filters are combined, then empty ones are left out', () => {
    expect(allOf(undefined, {}, { a: 1 })).toEqual({ a: 1 });
    expect(allOf({ a: 1 }, { b: 2 })).toEqual({ $and: [{ a: 1 }, { b: 2 }] });
    expect(allOf()).toEqual({});
  });
});

describe('parseDateTime', () => {
  it.each([
    ['2026-03-01', '2026-03-01T00:00:00.000Z'],
    ['2026-03-01T10:20:30Z', '2026-03-01T10:20:30.000Z'],
    ['2026-03-01T10:20:30.5+02:00', '2026-03-01T08:20:30.500Z'],
    ['2026-03-01 10:20', '2026-03-01T10:20:00.000Z'],
  ])('when given %s, then it is %s', (input, iso) => {
    expect(parseDateTime(input)?.toISOString()).toBe(iso);
  });

  it.each(['2026-02-31', '01/02/2026', '2026-13-01', 'now'])(
    'when given %s, then it is refused',
    (input) => {
      expect(parseDateTime(input)).toBeUndefined();
    },
  );
});
