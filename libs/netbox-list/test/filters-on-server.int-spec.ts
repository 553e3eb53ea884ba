import { MongoClient } from 'mongodb';
import type { Collection } from 'mongodb';
import { uniqueMongoUri } from '@toolkit/testing';
import { parseListQuery } from '../src';
import type { ListSpec } from '../src';

/** The filters the parser emits must mean the same thing on the real server (FerretDB or MongoDB 7). */
const spec: ListSpec = {
  filters: [
    { name: 'id', path: '_id', type: 'integer' },
    { name: 'name', type: 'string' },
    { name: 'description', type: 'string' },
    { name: 'platform_id', path: 'platforms', type: 'integer' },
    { name: 'success', type: 'boolean' },
    { name: 'created', type: 'datetime' },
  ],
  ordering: { id: '_id', name: 'name', created: 'created' },
  defaultOrdering: ['id'],
  search: ['name', 'description'],
};

const docs = [
  {
    _id: 1,
    name: 'core-rtr-1',
    description: 'Core (DC1)',
    platforms: [1, 2],
    success: true,
    created: new Date('2026-01-01T00:00:00Z'),
  },
  {
    _id: 2,
    name: 'CORE-rtr-2',
    description: '',
    platforms: [2],
    success: false,
    created: new Date('2026-01-02T00:00:00Z'),
  },
  {
    _id: 3,
    name: 'edge.sw.1',
    description: null,
    platforms: [],
    success: true,
    created: new Date('2026-01-03T00:00:00Z'),
  },
  {
    _id: 4,
    name: 'edge-sw-2',
    platforms: [3],
    success: false,
    created: new Date('2026-01-04T12:00:00Z'),
  },
];

describe('list filters on the real MongoDB-wire server', () => {
  let client: MongoClient;
  let collection: Collection;

  beforeAll(async () => {
    client = new MongoClient(uniqueMongoUri('netbox_list'));
    await client.connect();
    collection = client.db().collection('things');
    await collection.insertMany(docs as never[]);
  });

  afterAll(async () => {
    await client.db().dropDatabase();
    await client.close();
  });

  it.each([
    ['name=core-rtr-1', [1]],
    ['name=core-rtr-1&name=edge-sw-2', [1, 4]],
    ['name__n=core-rtr-1', [2, 3, 4]],
    ['name__ic=core', [1, 2]],
    ['name__ic=.', [3]],
    ['name__nic=core', [3, 4]],
    ['name__isw=EDGE', [3, 4]],
    ['name__iew=-2', [2, 4]],
    ['name__ie=CORE-RTR-1', [1]],
    ['description__empty=true', [2, 3, 4]],
    ['description__empty=false', [1]],
    ['description__isnull=true', [3, 4]],
    ['description__ic=(dc1)', [1]],
    ['id__gte=2&id__lt=4', [2, 3]],
    ['platform_id=2', [1, 2]],
    ['success=false', [2, 4]],
    ['created__gte=2026-01-02&created__lte=2026-01-03', [2, 3]],
    ['q=dc1', [1]],
  ])('when filtering with %s, then the server returns ids %j', async (query, ids) => {
    const { filter, sort } = parseListQuery(spec, new URLSearchParams(query));

    const found = await collection.find(filter).sort(sort).toArray();

    expect(found.map((d) => d._id)).toEqual(ids);
  });

  it('when ordering descending by name with skip and limit, then the page is the expected slice', async () => {
    const { filter, sort, limit, offset } = parseListQuery(
      spec,
      new URLSearchParams('ordering=-name&limit=2&offset=1'),
    );

    const found = await collection.find(filter).sort(sort).skip(offset).limit(limit).toArray();

    expect(found.map((d) => d['name'])).toEqual(['edge-sw-2', 'core-rtr-1']);
  });
});
