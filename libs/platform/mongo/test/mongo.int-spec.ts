import { Schema } from 'mongoose';
import type { Model } from 'mongoose';
import { memoryLogger, uniqueMongoUri } from '@toolkit/testing';
import { EpochLease, MongoDatabase, SequenceAllocator, toStorageError } from '../src';

interface Gadget {
  _id: number;
  name: string;
  tags: string[];
}

describe('MongoDatabase against the real MongoDB-wire server', () => {
  const { logger } = memoryLogger();
  const database = new MongoDatabase({ uri: uniqueMongoUri('mongo_lib'), logger });
  let Gadgets: Model<Gadget>;

  beforeAll(async () => {
    await database.connect();
    const schema = new Schema<Gadget>(
      { _id: Number, name: { type: String, required: true }, tags: [String] },
      { versionKey: false },
    );
    schema.index({ name: 1 }, { unique: true });
    Gadgets = database.connection.model<Gadget>('Gadget', schema);
    await database.ensureIndexes([Gadgets as unknown as Model<never>]);
  });

  afterAll(async () => {
    await database.connection.dropDatabase();
    await database.disconnect();
  });

  it('when a document is written and read back, then it round-trips', async () => {
    await Gadgets.create({ _id: 1, name: 'router', tags: ['core', 'edge'] });

    const found = await Gadgets.findById(1).lean().exec();

    expect(found).toEqual({ _id: 1, name: 'router', tags: ['core', 'edge'] });
  });

  it('when a second document has the same unique name, then the index rejects it as a conflict naming the field', async () => {
    await Gadgets.create({ _id: 2, name: 'switch', tags: [] });

    const error = await Gadgets.create({ _id: 3, name: 'switch', tags: [] }).catch(
      (e: unknown) => e,
    );
    const mapped = toStorageError(error, 'gadget', ['name']);

    // MongoDB names the index in keyPattern; FerretDB does not, so the caller's hint names it.
    expect(mapped).toMatchObject({
      category: 'conflict',
      message: 'A gadget with this name already exists.',
    });
    expect(await Gadgets.countDocuments({ name: 'switch' })).toBe(1);
  });

  it('when ids are allocated concurrently, then they are unique and consecutive', async () => {
    const sequence = new SequenceAllocator(database.connection);

    const ids = await Promise.all(Array.from({ length: 20 }, () => sequence.next('gadgets')));
    const run = await sequence.take('gadgets', 5);

    expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(run).toEqual([21, 22, 23, 24, 25]);
    expect(await sequence.next('gadgets')).toBe(26);
  });

  it('when two allocators reserve blocks concurrently, then no id is handed out twice', async () => {
    const a = new SequenceAllocator(database.connection, 100);
    const b = new SequenceAllocator(database.connection, 100);

    const batches = await Promise.all([
      a.take('logs', 250),
      b.take('logs', 250),
      a.take('logs', 10),
      b.take('logs', 10),
    ]);
    const all = batches.flat();

    expect(new Set(all).size).toBe(all.length);
    expect(Math.min(...all)).toBe(1);
  });

  it('when the server answers, then ping resolves; after disconnect it is unavailable', async () => {
    const other = new MongoDatabase({ uri: uniqueMongoUri('mongo_ping'), logger });
    await other.connect();

    await expect(other.ping()).resolves.toBeUndefined();
    await other.disconnect();
    await expect(other.ping()).rejects.toMatchObject({ category: 'unavailable' });
  });

  it('when the server is unreachable at boot, then connect fails as unavailable', async () => {
    const broken = new MongoDatabase({
      uri: 'mongodb://127.0.0.1:1/x',
      logger,
      serverSelectionTimeoutMs: 300,
    });

    await expect(broken.connect()).rejects.toMatchObject({
      category: 'unavailable',
      message: 'MongoDB is unavailable.',
    });
    await broken.disconnect();
  });

  it('when replicas race for a lease, then exactly one holds each epoch and another may take the next', async () => {
    let now = 1_000_000_000_000; // the start of an epoch of 10 s
    const leases = ['a', 'b', 'c'].map(
      (owner) =>
        new EpochLease(database.connection, 'relay', {
          owner,
          epochMs: 10_000,
          marginMs: 1_000,
          now: () => now,
        }),
    );
    const holders = async () =>
      (await Promise.all(leases.map((lease) => lease.held()))).flatMap((held, i) =>
        held ? ['abc'[i]] : [],
      );

    const first = await holders();
    const again = await holders();
    now += 9_500; // inside the margin: nobody starts work
    const inMargin = await holders();
    now += 600; // the next epoch
    const nextEpoch = [await leases[2]?.held(), await leases[0]?.held()];

    expect(first).toHaveLength(1);
    expect(again).toEqual(first);
    expect(inMargin).toEqual([]);
    expect(nextEpoch).toEqual([true, false]);
  });
});
