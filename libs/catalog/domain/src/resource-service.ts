import type { z } from 'zod';
import { chunksOf } from '@toolkit/contracts';
import type { CatalogEvent } from '@toolkit/contracts';
import {
  AppError,
  DETAIL,
  fieldErrorsFromZod,
  isAppError,
  throwIfInvalid,
  unknownFieldErrors,
} from '@toolkit/errors';
import type { FieldErrors } from '@toolkit/errors';
import {
  allOf,
  constraintsFilter,
  parseListQuery,
  selectFields,
  toPage,
} from '@toolkit/netbox-list';
import type { Filter, ListSpec, Page, QueryInput } from '@toolkit/netbox-list';
import type { StoredBase } from './entities';
import { matchesFilter } from './filter-matcher';
import type { ChangeLog, Clock, JournalPart, Logger, Repository, RequestContext } from './ports';
import type { WriteTransactions } from './write-transactions';

export type Presented = Record<string, unknown>;
export type CatalogEntity = CatalogEvent['entity'];

/**
 * Objects being written in the same all-or-nothing operation, by entity and id, so that a
 * device's nested interfaces can reference the device before it is stored.
 */
export class Batch {
  private readonly pending = new Map<string, Map<number, unknown>>();

  /**
   * `known`: objects the caller has just read or written (a loader's earlier steps), looked
   * up when the batch itself does not hold the id, which saves a query per reference.
   */
  constructor(private readonly known?: Batch) {}

  add(entity: string, id: number, doc: unknown): void {
    let map = this.pending.get(entity);
    if (!map) this.pending.set(entity, (map = new Map()));
    map.set(id, doc);
  }

  get<D>(entity: string, id: number): D | undefined {
    return (this.pending.get(entity)?.get(id) as D | undefined) ?? this.known?.get<D>(entity, id);
  }
}

export interface BuildArgs<D> {
  id: number;
  now: Date;
  existing: D | undefined;
  ctx: RequestContext;
  batch: Batch;
}

export interface Built<D> {
  doc: D;
  /** Shown once in the create answer (a credential token), never stored or published. */
  once?: Presented;
}

export interface UniqueKey<D> {
  /** The field named in the 409. */
  field: string;
  /** The stored values that must be unique, or undefined when the key does not apply. */
  key: (doc: D) => Filter | undefined;
  /**
   * A unique index on the store enforces the key (data-access declares it): writes are not
   * pre-checked against the store (a query per key is a collection scan on FerretDB); a
   * duplicate-key error is turned into the 409 naming the field by querying after the fact.
   * Keys without an index are checked before the write, with one query per key and batch.
   */
  indexed?: boolean;
}

/** How many objects one storage query (an `$or` of keys) or one insert covers. */
export const WRITE_CHUNK = 50;

/**
 * The most of JSON one journal entry keeps of the objects it may restore: a MongoDB
 * document holds 16 MB of BSON, and fifty commands with templates of 200,000 characters
 * (up to 600 KB of UTF-8 each) would not fit in one.
 */
const JOURNAL_ENTRY_BYTES = 4 * 1024 * 1024;

export interface WriteOptions {
  bulk: boolean;
  /** Objects already known to the caller, used to resolve references without a query. */
  known?: Batch;
}

export interface PrepareOptions {
  /** The objects of the write so far: the built ones are added. */
  batch: Batch;
  /** The body was a list: problems are reported per item. */
  bulk: boolean;
}

/** Everything the generic NetBox CRUD needs to know about one resource. */
export interface ResourceDefinition<D extends StoredBase, I = Record<string, unknown>> {
  entity: CatalogEntity;
  /** NetBox content type for the change log: `dcim.device`. */
  objectType: string;
  label: string;
  path: string;
  listSpec: ListSpec;
  briefFields: readonly string[];
  createSchema: z.ZodType<I>;
  patchSchema: z.ZodType<Partial<I>>;
  /**
   * What the API answers for an object: its read-only fields (`id`, `url`, `created`) are
   * accepted in a body and ignored (a client PUTs back what it got); any other field that
   * is not writable is refused, naming it (`comand_type` would otherwise be dropped and
   * the command stored as a show command).
   */
  representation: z.ZodObject;
  repository: Repository<D>;
  /** The writable representation of a stored object, onto which a PATCH is merged. */
  toInput(doc: D): Record<string, unknown>;
  /** Validated input -> stored document; resolves references; throws validation errors. */
  build(input: I, args: BuildArgs<D>): Promise<Built<D>>;
  present(doc: D, baseUrl: string): Presented;
  display(doc: D): string;
  uniqueKeys?: readonly UniqueKey<D>[];
  /** Throws a conflict when something still references the objects. */
  assertDeletable?(docs: readonly D[]): Promise<void>;
  /** Keeps denormalised copies current after an update. */
  cascadeUpdate?(before: D, after: D): Promise<void>;
  /** Removes dependent objects after a delete (NetBox cascades). */
  cascadeDelete?(docs: readonly D[], ctx: RequestContext): Promise<void>;
  /** What the caller may see at all (credential sets: their own). */
  scope?(ctx: RequestContext): Filter;
  /**
   * The owner of an object only its owner sees (with `scope`): its change records are
   * marked with this id and shown to that user only.
   */
  ownerOf?(doc: D): number;
  /** Events and the change log carry this (secrets removed); defaults to `present`. */
  snapshot?(doc: D, baseUrl: string): Presented;
}

export interface ResourceDeps {
  changes: ChangeLog;
  transactions: WriteTransactions;
  clock: Clock;
  logger: Logger;
}

/**
 * NetBox CRUD over a repository: lists with NetBox semantics, permission constraints
 * AND-ed into every read and checked before and after every write, bulk writes that are
 * all or nothing, events and change records after the write succeeds.
 *
 * All or nothing without transactions (FerretDB has none): every item is validated and
 * built first (references resolved, uniqueness checked against the batch and the store,
 * constraints checked), and only then written; if a write still fails midway, what was
 * written is compensated (inserted objects deleted, replaced ones restored, deleted ones
 * re-inserted) before the error is returned. Every write is also a journaled transaction
 * (WriteTransactions) that commits with its change records and events, so that a write
 * interrupted by a crash is rolled back by recovery instead of staying half done.
 */
export class ResourceService<D extends StoredBase, I = Record<string, unknown>> {
  constructor(
    readonly def: ResourceDefinition<D, I>,
    private readonly deps: ResourceDeps,
  ) {}

  /** Fields of a body that are neither writable nor read-only, named with a suggestion. */
  unknownFields(body: unknown): FieldErrors {
    return unknownFieldErrors(body, this.def.createSchema, this.def.representation);
  }

  get repository(): Repository<D> {
    return this.def.repository;
  }

  async list(query: QueryInput, ctx: RequestContext): Promise<Page<Presented>> {
    const parsed = parseListQuery(this.def.listSpec, query);
    const filter = allOf(parsed.filter, this.visibility(ctx));
    const options = { sort: parsed.sort, skip: parsed.offset, limit: parsed.limit };
    const { docs, count } = this.def.repository.findPage
      ? await this.def.repository.findPage(filter, options)
      : await Promise.all([
          this.def.repository.find(filter, options),
          this.def.repository.count(filter),
        ]).then(([found, total]) => ({ docs: found, count: total }));
    const results = docs.map((doc) =>
      selectFields(this.def.present(doc, ctx.baseUrl), parsed, this.def.briefFields),
    );
    return toPage(ctx.requestUrl, count, parsed.limit, parsed.offset, results);
  }

  async get(id: number, ctx: RequestContext): Promise<Presented> {
    return this.def.present(await this.findVisible(id, ctx), ctx.baseUrl);
  }

  /** The object if the caller may see it (scope and constraints), else 404. */
  async findVisible(id: number, ctx: RequestContext): Promise<D> {
    const [doc] = await this.def.repository.find(allOf({ _id: id }, this.visibility(ctx)), {
      limit: 1,
    });
    if (!doc) throw AppError.notFound(this.def.label);
    return doc;
  }

  /** Those of `ids` the caller may see (scope and constraints), in one read. */
  async findVisibleMany(ids: readonly number[], ctx: RequestContext): Promise<Map<number, D>> {
    if (ids.length === 0) return new Map();
    const docs = await this.def.repository.find(
      allOf({ _id: { $in: [...ids] } }, this.visibility(ctx)),
    );
    return new Map(docs.map((doc) => [doc._id, doc]));
  }

  async create(
    bodies: readonly unknown[],
    ctx: RequestContext,
    bulk: boolean,
  ): Promise<Presented[]> {
    const prepared = await this.createMany(bodies, ctx, { bulk });
    return prepared.map((p) => ({ ...this.def.present(p.doc, ctx.baseUrl), ...p.once }));
  }

  /** `create`, answering the stored documents (loaders chain them without reading back). */
  async createMany(
    bodies: readonly unknown[],
    ctx: RequestContext,
    options: WriteOptions,
  ): Promise<Built<D>[]> {
    return this.transaction(async () => {
      const prepared = await this.prepareCreate(bodies, ctx, {
        batch: new Batch(options.known),
        bulk: options.bulk,
      });
      await this.insertAll(prepared.map((p) => p.doc));
      await this.recordChanges(
        'created',
        prepared.map((p) => ({ before: undefined, after: p.doc })),
        ctx,
      );
      return prepared;
    });
  }

  /**
   * Runs a write as one transaction (see WriteTransactions): every step journaled, all or
   * nothing also across a crash. Writes inside it (cascades, use cases) join it.
   */
  transaction<T>(work: () => Promise<T>): Promise<T> {
    return this.deps.transactions.run(work);
  }

  /**
   * Undoes one journaled step of transaction `txn` on this resource; idempotent (recovery
   * may repeat it). Only what that transaction stored is touched (documents carry the
   * transaction that wrote them, `_txn`): inserted objects are deleted, replaced ones
   * restored (with the cascade of the change reversed), deleted ones put back if missing.
   * A later write by another transaction is kept.
   */
  async undo(part: JournalPart, txn: string): Promise<void> {
    const repository = this.def.repository;
    const befores = (part.befores ?? []) as D[];
    const ownVersion = { _txn: txn };
    switch (part.action) {
      case 'insert':
        await repository.deleteIf(part.ids, ownVersion);
        return;
      case 'replace': {
        const current = new Map((await repository.findByIds(part.ids)).map((d) => [d._id, d]));
        for (const before of befores) {
          const after = current.get(before._id);
          if (after?._txn !== txn) continue;
          if (await repository.replaceIf(before, ownVersion))
            await this.def.cascadeUpdate?.(after, before);
        }
        return;
      }
      case 'delete': {
        const present = new Set((await repository.findByIds(part.ids)).map((d) => d._id));
        const missing = befores.filter((d) => !present.has(d._id));
        if (missing.length > 0) await repository.insertMany(missing);
        return;
      }
    }
  }

  /** Marks documents as this transaction's version (what its rollback may undo). */
  private stamp(docs: readonly D[]): void {
    const txn = this.deps.transactions.currentId();
    if (txn) for (const doc of docs) doc._txn = txn;
  }

  /**
   * Journals a step before it is taken (in chunks: a journal entry stays small). A replace
   * or a delete keeps the documents as they were (`befores`), which its undo restores; an
   * insert's undo needs only the ids.
   */
  private async journal(action: JournalPart['action'], docs: readonly D[]): Promise<void> {
    // An insert's entry holds ids only; the others hold whole objects, so they count bytes.
    const slices =
      action === 'insert'
        ? chunksOf(docs, Infinity, 1_000)
        : chunksOf(docs, JOURNAL_ENTRY_BYTES, WRITE_CHUNK);
    for (const slice of slices) {
      await this.deps.transactions.journal({
        entity: this.def.entity,
        action,
        ids: slice.map((d) => d._id),
        ...(action === 'insert' ? {} : { befores: [...slice] }),
      });
    }
  }

  /**
   * Validates and builds every item, or throws naming every problem; writes nothing. The
   * built objects join `batch` (later items and nested objects refer to them); `bulk`
   * errors name their item (a list body).
   */
  async prepareCreate(
    bodies: readonly unknown[],
    ctx: RequestContext,
    options: PrepareOptions,
  ): Promise<Built<D>[]> {
    const { batch, bulk } = options;
    const errors: FieldErrors[] = bodies.map(() => ({}));
    const inputs = bodies.map((body, i) => {
      const unknown = this.unknownFields(body);
      const result = this.def.createSchema.safeParse(body ?? {}, { reportInput: true });
      errors[i] = { ...unknown, ...(result.success ? {} : fieldErrorsFromZod(result.error)) };
      return result.success ? result.data : undefined;
    });
    throwIfInvalid(errors, { bulk });
    const ids = await this.def.repository.allocateIds(bodies.length);
    const now = this.deps.clock.now();
    const built: Built<D>[] = [];
    for (const [i, input] of inputs.entries()) {
      const id = ids[i] as number;
      try {
        const result = await this.def.build(input as I, {
          id,
          now,
          existing: undefined,
          ctx,
          batch,
        });
        built.push(result);
        batch.add(this.def.entity, id, result.doc);
      } catch (error) {
        errors[i] = fieldErrorsOf(error);
      }
    }
    throwIfInvalid(errors, { bulk });
    const docs = built.map((b) => b.doc);
    await this.assertUnique(docs);
    this.assertAllowed(docs, ctx);
    return built;
  }

  /** Inserts, or deletes what was inserted and throws. */
  async insertAll(docs: readonly D[]): Promise<void> {
    if (docs.length === 0) return;
    await this.journal('insert', docs);
    this.stamp(docs);
    try {
      await this.def.repository.insertMany(docs);
    } catch (error) {
      await this.def.repository
        .deleteMany(docs.map((d) => d._id))
        .catch((e: unknown) =>
          this.deps.logger.error({ err: e, entity: this.def.entity }, 'compensation failed'),
        );
      throw await this.storageError(error, docs);
    }
  }

  async update(
    items: readonly { id: number; body: unknown }[],
    ctx: RequestContext,
    options: { partial: boolean; bulk: boolean },
  ): Promise<Presented[]> {
    const afters = await this.updateMany(items, ctx, options);
    return afters.map((doc) => this.def.present(doc, ctx.baseUrl));
  }

  /** `update`, answering the stored documents. */
  async updateMany(
    items: readonly { id: number; body: unknown }[],
    ctx: RequestContext,
    options: WriteOptions & { partial: boolean },
  ): Promise<D[]> {
    return this.transaction(async () => {
      const befores = await this.loadForWrite(
        items.map((i) => i.id),
        ctx,
      );
      const errors: FieldErrors[] = items.map(() => ({}));
      const now = this.deps.clock.now();
      const batch = new Batch(options.known);
      const afters: D[] = [];
      for (const [i, item] of items.entries()) {
        const before = befores[i] as D;
        const body = (item.body ?? {}) as Record<string, unknown>;
        const unknown = this.unknownFields(body);
        if (Object.keys(unknown).length > 0) {
          errors[i] = unknown;
          continue;
        }
        if (!options.partial) {
          const full = this.def.createSchema.safeParse(body, { reportInput: true });
          if (!full.success) {
            errors[i] = fieldErrorsFromZod(full.error);
            continue;
          }
        }
        const patch = this.def.patchSchema.safeParse(body, { reportInput: true });
        if (!patch.success) {
          errors[i] = fieldErrorsFromZod(patch.error);
          continue;
        }
        const merged = this.def.createSchema.safeParse(
          {
            ...this.def.toInput(before),
            ...stripUndefined(patch.data as Record<string, unknown>),
          },
          { reportInput: true },
        );
        if (!merged.success) {
          errors[i] = fieldErrorsFromZod(merged.error);
          continue;
        }
        try {
          const { doc } = await this.def.build(merged.data, {
            id: before._id,
            now,
            existing: before,
            ctx,
            batch,
          });
          doc.created = before.created;
          doc.last_updated = now;
          afters.push(doc);
          batch.add(this.def.entity, doc._id, doc);
        } catch (error) {
          errors[i] = fieldErrorsOf(error);
        }
      }
      throwIfInvalid(errors, { bulk: options.bulk });
      await this.assertUnique(afters);
      this.assertAllowed(afters, ctx);
      await this.replaceAll(befores, afters);
      for (const [i, after] of afters.entries())
        await this.def.cascadeUpdate?.(befores[i] as D, after);
      await this.recordChanges(
        'updated',
        afters.map((after, i) => ({ before: befores[i], after })),
        ctx,
      );
      return afters;
    });
  }

  /** Replaces each document; on a failure restores those already replaced. */
  async replaceAll(befores: readonly D[], afters: readonly D[]): Promise<void> {
    await this.journal('replace', befores);
    this.stamp(afters);
    for (const [i, after] of afters.entries()) {
      try {
        await this.def.repository.replace(after);
      } catch (error) {
        for (const before of befores.slice(0, i))
          await this.def.repository
            .replace(before)
            .catch((e: unknown) =>
              this.deps.logger.error({ err: e, entity: this.def.entity }, 'compensation failed'),
            );
        throw await this.storageError(error, afters);
      }
    }
  }

  async delete(ids: readonly number[], ctx: RequestContext): Promise<void> {
    await this.transaction(() => this.deleteNow(ids, ctx));
  }

  private async deleteNow(ids: readonly number[], ctx: RequestContext): Promise<void> {
    const docs = await this.loadForWrite(ids, ctx);
    await this.def.assertDeletable?.(docs);
    await this.journal('delete', docs);
    try {
      await this.def.repository.deleteMany(ids);
    } catch (error) {
      const remaining = new Set((await this.def.repository.findByIds(ids)).map((d) => d._id));
      await this.def.repository
        .insertMany(docs.filter((d) => !remaining.has(d._id)))
        .catch((e: unknown) =>
          this.deps.logger.error({ err: e, entity: this.def.entity }, 'compensation failed'),
        );
      throw await this.storageError(error, []);
    }
    await this.def.cascadeDelete?.(docs, ctx);
    await this.recordChanges(
      'deleted',
      docs.map((before) => ({ before, after: undefined })),
      ctx,
    );
  }

  /**
   * Deletes every object matching the filter, whoever may see it: a system operation (what
   * only a deleted user could reach), recorded under the caller in events and change log.
   */
  async deleteWhere(filter: Filter, ctx: RequestContext): Promise<number> {
    return this.transaction(() => this.deleteWhereNow(filter, ctx));
  }

  private async deleteWhereNow(filter: Filter, ctx: RequestContext): Promise<number> {
    const seen = new Set<number>();
    for (;;) {
      const docs = await this.def.repository.find(filter, {
        sort: [['_id', 1]],
        limit: WRITE_CHUNK,
      });
      if (docs.length === 0) return seen.size;
      if (docs.some((d) => seen.has(d._id)))
        throw AppError.internal(`${this.def.label}s were deleted but are still found.`);
      await this.def.assertDeletable?.(docs);
      await this.journal('delete', docs);
      await this.def.repository.deleteMany(docs.map((d) => d._id));
      for (const doc of docs) seen.add(doc._id);
      await this.def.cascadeDelete?.(docs, ctx);
      await this.recordChanges(
        'deleted',
        docs.map((before) => ({ before, after: undefined })),
        ctx,
      );
    }
  }

  /** Objects about to change: 404 when invisible, 403 when outside the caller's constraints. */
  async loadForWrite(ids: readonly number[], ctx: RequestContext): Promise<D[]> {
    const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (duplicates.length > 0)
      throw AppError.validation({
        id: [`Duplicate ids in the request: ${[...new Set(duplicates)].join(', ')}.`],
      });
    const found = await this.def.repository.find(
      allOf({ _id: { $in: [...ids] } }, this.def.scope?.(ctx)),
    );
    const byId = new Map(found.map((d) => [d._id, d]));
    const docs = ids.map((id) => {
      const doc = byId.get(id);
      if (!doc) throw AppError.notFound(this.def.label);
      return doc;
    });
    this.assertAllowed(docs, ctx);
    return docs;
  }

  /**
   * Change records and their events (the outbox) after a successful write, in the write's
   * transaction: if they cannot be stored, the write is rolled back with them.
   */
  async recordChanges(
    action: 'created' | 'updated' | 'deleted',
    changes: readonly { before: D | undefined; after: D | undefined }[],
    ctx: RequestContext,
  ): Promise<void> {
    if (changes.length === 0) return;
    const snapshot = (doc: D | undefined) =>
      doc ? (this.def.snapshot ?? this.def.present)(doc, ctx.baseUrl) : undefined;
    const actor = ctx.principal?.username;
    const events: CatalogEvent[] = changes.map(({ before, after }) => ({
      entity: this.def.entity,
      action,
      id: (after ?? before)?._id as number,
      data: snapshot(after ?? before),
      ...(actor ? { actor } : {}),
    }));
    const time = this.deps.clock.now();
    const records = changes.map(({ before, after }) => ({
      time,
      user: ctx.principal ? { id: ctx.principal.id, username: ctx.principal.username } : null,
      user_name: actor ?? '',
      request_id: ctx.requestId ?? null,
      action:
        action === 'created'
          ? ('create' as const)
          : action === 'updated'
            ? ('update' as const)
            : ('delete' as const),
      changed_object_type: this.def.objectType,
      changed_object_id: (after ?? before)?._id as number,
      object_repr: this.def.display((after ?? before) as D),
      prechange_data: snapshot(before) ?? null,
      postchange_data: snapshot(after) ?? null,
      owner_id: this.def.ownerOf ? this.def.ownerOf((after ?? before) as D) : null,
      txn: this.deps.transactions.currentId() ?? null,
    }));
    await this.deps.changes.record(records, {
      events,
      correlationId: ctx.requestId,
      txn: this.deps.transactions.currentId(),
    });
  }

  /** Scope AND constraints, as a filter. */
  visibility(ctx: RequestContext): Filter {
    return allOf(this.def.scope?.(ctx), this.constraintFilter(ctx));
  }

  private constraintFilter(ctx: RequestContext): Filter | undefined {
    return constraintsFilter(this.def.listSpec, ctx.constraints, `${this.def.label}s`);
  }

  private assertAllowed(docs: readonly D[], ctx: RequestContext): void {
    const filter = this.constraintFilter(ctx);
    if (!filter) return;
    if (docs.some((doc) => !matchesFilter(doc, filter)))
      throw new AppError({
        code: 'constraint-violation',
        category: 'forbidden',
        message: DETAIL.forbidden,
      });
  }

  /**
   * Duplicates within the written objects, then clashes with stored objects for the keys no
   * unique index enforces (one `$or` query per key and chunk of objects, not one per object).
   */
  private async assertUnique(docs: readonly D[]): Promise<void> {
    for (const unique of this.def.uniqueKeys ?? []) {
      const seen = new Set<string>();
      for (const doc of docs) {
        const key = unique.key(doc);
        if (!key) continue;
        const text = JSON.stringify(key);
        if (seen.has(text)) throw this.conflict(unique.field);
        seen.add(text);
      }
      if (!unique.indexed && (await this.clashes(unique, docs))) throw this.conflict(unique.field);
    }
  }

  /** Whether a stored object other than the written one holds the key of one of `docs`. */
  private async clashes(unique: UniqueKey<D>, docs: readonly D[]): Promise<boolean> {
    for (let start = 0; start < docs.length; start += WRITE_CHUNK) {
      const keyed = docs
        .slice(start, start + WRITE_CHUNK)
        .map((doc) => ({ doc, key: unique.key(doc) }))
        .filter((k): k is { doc: D; key: Filter } => k.key !== undefined);
      if (keyed.length === 0) continue;
      const stored = await this.def.repository.find(
        keyed.length === 1 ? (keyed[0] as { key: Filter }).key : { $or: keyed.map((k) => k.key) },
      );
      if (
        stored.some((other) =>
          keyed.some(({ doc, key }) => other._id !== doc._id && matchesFilter(other, key)),
        )
      )
        return true;
    }
    return false;
  }

  conflict(field: string): AppError {
    const message = `A ${this.def.label} with this ${field} already exists.`;
    return AppError.conflict(message, { fields: { [field]: [message] } });
  }

  /**
   * A storage failure as an AppError. A duplicate key (FerretDB does not say which index)
   * becomes the 409 naming the field: the keys of the written objects are looked up once
   * the write has been compensated.
   */
  private async storageError(error: unknown, written: readonly D[]): Promise<AppError> {
    if (isAppError(error)) return error;
    if ((error as { code?: number }).code === 11000) {
      for (const unique of this.def.uniqueKeys ?? []) {
        const found = await this.clashes(unique, written).catch(() => false);
        if (found) return this.conflict(unique.field);
      }
      const fields = (this.def.uniqueKeys ?? []).map((u) => u.field);
      return AppError.conflict(
        `A ${this.def.label} with this ${fields.join(' or ') || 'key'} already exists.`,
        {
          fields: Object.fromEntries(
            fields.map((f) => [f, [`A ${this.def.label} with this ${f} may already exist.`]]),
          ),
        },
      );
    }
    return AppError.internal('Storage error.', error);
  }
}

function stripUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

function fieldErrorsOf(error: unknown): FieldErrors {
  if (isAppError(error) && error.category === 'validation') {
    return error.fieldErrors ?? { non_field_errors: [error.message] };
  }
  throw error;
}
