import { AppError } from '@toolkit/errors';
import { bulkItems, createBodies, objectBody } from './write-bodies';

function refusal(read: () => unknown): unknown {
  try {
    read();
    return undefined;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return error.details?.items ?? error.fieldErrors;
  }
}

describe('write bodies', () => {
  it('when a create body is an object or a list, then it is one item or a bulk', () => {
    expect(createBodies({ name: 'a' })).toEqual({ items: [{ name: 'a' }], bulk: false });
    expect(createBodies(undefined)).toEqual({ items: [{}], bulk: false });
    expect(createBodies([{ name: 'a' }, { name: 'b' }])).toEqual({
      items: [{ name: 'a' }, { name: 'b' }],
      bulk: true,
    });
    expect(refusal(() => createBodies([]))).toEqual({
      non_field_errors: ['Expected a non-empty list of objects.'],
    });
  });

  it('when bulk items lack a valid id, then each bad item is named at its position', () => {
    expect(bulkItems([{ id: 3, name: 'x' }])).toEqual([{ id: 3, body: { name: 'x' } }]);
    expect(
      refusal(() => bulkItems([{ id: 1 }, { name: 'x' }, { id: 0 }, 'text', { id: '2' }])),
    ).toEqual([
      {},
      { id: ['This field is required.'] },
      { id: ['A valid integer is required.'] },
      { non_field_errors: ['Expected an object.'] },
      { id: ['A valid integer is required.'] },
    ]);
    expect(refusal(() => bulkItems({ id: 1 }))).toEqual({
      non_field_errors: ['Expected a non-empty list of objects with an "id".'],
    });
  });

  it('when a detail body is not an object, then it is refused', () => {
    expect(objectBody(undefined)).toEqual({});
    expect(refusal(() => objectBody([1]))).toEqual({ non_field_errors: ['Expected an object.'] });
  });
});
