import type { Connection, Model } from 'mongoose';
import type {
  Group,
  GroupRepository,
  ListRequest,
  ListResult,
  NewGroup,
} from '@toolkit/gateway-domain';
import { SequenceAllocator, toStorageError } from '@toolkit/mongo';
import { defined, findOneDocument, listDocuments } from '../mongo-helpers';
import { userModel } from '../users/user.schema';
import type { UserDoc } from '../users/user.schema';
import type { GroupDoc } from './group.schema';
import { groupModel } from './group.schema';

function toGroup(doc: GroupDoc): Group {
  return { id: doc._id, name: doc.name, description: doc.description ?? '' };
}

export class MongoGroupRepository implements GroupRepository {
  /** For index creation at boot only. */
  readonly model: Model<GroupDoc>;
  private readonly users: Model<UserDoc>;

  constructor(
    connection: Connection,
    private readonly ids: SequenceAllocator = new SequenceAllocator(connection),
  ) {
    this.model = groupModel(connection);
    this.users = userModel(connection);
  }

  findById(id: number): Promise<Group | undefined> {
    return findOneDocument(this.model, { _id: id }, toGroup, 'group');
  }

  findOne(filter: Record<string, unknown>): Promise<Group | undefined> {
    return findOneDocument(this.model, filter, toGroup, 'group');
  }

  async findByIds(ids: readonly number[]): Promise<Group[]> {
    if (ids.length === 0) return [];
    const docs = await this.model
      .find({ _id: { $in: [...ids] } })
      .sort({ _id: 1 })
      .lean<GroupDoc[]>()
      .catch((error: unknown) => {
        throw toStorageError(error, 'group');
      });
    return docs.map(toGroup);
  }

  list(query: ListRequest): Promise<ListResult<Group>> {
    return listDocuments(this.model, query, toGroup, 'group');
  }

  async create(group: NewGroup): Promise<Group> {
    const [id] = await this.ids.take('groups');
    try {
      const created = await this.model.create({ _id: id, ...group });
      return toGroup(created.toObject());
    } catch (error) {
      throw toStorageError(error, 'group', ['name']);
    }
  }

  async update(id: number, changes: Partial<NewGroup>): Promise<Group | undefined> {
    try {
      const doc = await this.model
        .findOneAndUpdate({ _id: id }, { $set: defined({ ...changes }) }, { new: true })
        .lean<GroupDoc>();
      return doc ? toGroup(doc) : undefined;
    } catch (error) {
      throw toStorageError(error, 'group', ['name']);
    }
  }

  async delete(id: number): Promise<boolean> {
    try {
      const result = await this.model.deleteOne({ _id: id });
      // Members keep no dangling reference (no transactions on FerretDB: idempotent cleanup).
      await this.users.updateMany({ groups: id }, { $pull: { groups: id } });
      return result.deletedCount > 0;
    } catch (error) {
      throw toStorageError(error, 'group');
    }
  }

  countUsers(groupId: number): Promise<number> {
    return this.users.countDocuments({ groups: groupId }).catch((error: unknown) => {
      throw toStorageError(error, 'group');
    });
  }
}
