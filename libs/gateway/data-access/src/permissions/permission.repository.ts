import type { Connection, Model } from 'mongoose';
import type {
  ConstraintFilter,
  ListRequest,
  ListResult,
  NewObjectPermission,
  ObjectPermission,
  PermissionRepository,
} from '@toolkit/gateway-domain';
import { SequenceAllocator, toStorageError } from '@toolkit/mongo';
import { defined, findOneDocument, listDocuments } from '../mongo-helpers';
import type { PermissionDoc } from './permission.schema';
import { permissionModel } from './permission.schema';

function toPermission(doc: PermissionDoc): ObjectPermission {
  return {
    id: doc._id,
    name: doc.name,
    description: doc.description ?? '',
    enabled: doc.enabled,
    objectTypes: doc.object_types ?? [],
    actions: doc.actions ?? [],
    constraints: doc.constraints_json
      ? (JSON.parse(doc.constraints_json) as ConstraintFilter | ConstraintFilter[])
      : null,
    userIds: doc.users ?? [],
    groupIds: doc.groups ?? [],
  };
}

function toDoc(p: Partial<NewObjectPermission>): Partial<PermissionDoc> {
  return defined({
    name: p.name,
    description: p.description,
    enabled: p.enabled,
    object_types: p.objectTypes,
    actions: p.actions,
    constraints_json:
      p.constraints === undefined
        ? undefined
        : p.constraints === null
          ? null
          : JSON.stringify(p.constraints),
    users: p.userIds,
    groups: p.groupIds,
  }) as Partial<PermissionDoc>;
}

export class MongoPermissionRepository implements PermissionRepository {
  /** For index creation at boot only. */
  readonly model: Model<PermissionDoc>;

  constructor(
    connection: Connection,
    private readonly ids: SequenceAllocator = new SequenceAllocator(connection),
  ) {
    this.model = permissionModel(connection);
  }

  async findForSubject(userId: number, groupIds: readonly number[]): Promise<ObjectPermission[]> {
    const docs = await this.model
      .find({
        enabled: true,
        $or: [
          { users: userId },
          ...(groupIds.length > 0 ? [{ groups: { $in: [...groupIds] } }] : []),
        ],
      })
      .lean<PermissionDoc[]>()
      .catch((error: unknown) => {
        throw toStorageError(error, 'permission');
      });
    return docs.map(toPermission);
  }

  findById(id: number): Promise<ObjectPermission | undefined> {
    return findOneDocument(this.model, { _id: id }, toPermission, 'permission');
  }

  findOne(filter: Record<string, unknown>): Promise<ObjectPermission | undefined> {
    return findOneDocument(this.model, filter, toPermission, 'permission');
  }

  list(query: ListRequest): Promise<ListResult<ObjectPermission>> {
    return listDocuments(this.model, query, toPermission, 'permission');
  }

  async create(permission: NewObjectPermission): Promise<ObjectPermission> {
    const [id] = await this.ids.take('object_permissions');
    try {
      const created = await this.model.create({ ...toDoc(permission), _id: id });
      return toPermission(created.toObject());
    } catch (error) {
      throw toStorageError(error, 'permission', ['name']);
    }
  }

  async update(
    id: number,
    changes: Partial<NewObjectPermission>,
  ): Promise<ObjectPermission | undefined> {
    try {
      const doc = await this.model
        .findOneAndUpdate({ _id: id }, { $set: toDoc(changes) }, { new: true })
        .lean<PermissionDoc>();
      return doc ? toPermission(doc) : undefined;
    } catch (error) {
      throw toStorageError(error, 'permission', ['name']);
    }
  }

  async delete(id: number): Promise<boolean> {
    const result = await this.model.deleteOne({ _id: id }).catch((error: unknown) => {
      throw toStorageError(error, 'permission');
    });
    return result.deletedCount > 0;
  }
}
