import { pageLinks, selectFields } from './page';

describe('pageLinks', () => {
  const url =
    'http://api.example/api/dcim/devices/?name__ic=core&limit=10&offset=10&ordering=-name';

  it.each([
    [100, 10, 10, 'offset=20', 'limit=10&ordering=-name'],
    [15, 10, 10, null, 'limit=10&ordering=-name'],
    [100, 10, 0, 'offset=10', null],
    [100, 10, 30, 'offset=40', 'offset=20'],
  ])(
    'when count=%i limit=%i offset=%i, then next has %s and previous %s',
    (count, limit, offset, next, previous) => {
      const links = pageLinks(url, count, limit, offset);

      if (next === null) expect(links.next).toBeNull();
      else {
        expect(links.next).toContain(next);
        expect(links.next).toContain('name__ic=core');
        expect(links.next).toContain('ordering=-name');
      }
      if (previous === null) expect(links.previous).toBeNull();
      else expect(links.previous).toContain(previous);
    },
  );

  it('when the previous page is the first, then offset is dropped as DRF does', () => {
    expect(pageLinks(url, 100, 10, 10).previous).toBe(
      'http://api.example/api/dcim/devices/?name__ic=core&limit=10&ordering=-name',
    );
  });
});

describe('selectFields', () => {
  const record = { id: 1, url: 'u', display: 'R1', name: 'R1', status: 'active' };

  it('when brief, then only the brief fields remain', () => {
    expect(
      selectFields(record, { brief: true, fields: undefined, omit: undefined }, [
        'id',
        'url',
        'display',
        'name',
      ]),
    ).toEqual({
      id: 1,
      url: 'u',
      display: 'R1',
      name: 'R1',
    });
  });

  it('when fields and omit are given, then fields keeps and omit removes', () => {
    expect(
      selectFields(
        record,
        { brief: false, fields: ['id', 'name', 'status'], omit: ['status'] },
        [],
      ),
    ).toEqual({ id: 1, name: 'R1' });
  });
});
