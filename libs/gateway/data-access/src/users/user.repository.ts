import type { Connection, Model } from 'mongoose';
import type {
  ListRequest,
  ListResult,
  NewUser,
  User,
  UserCredentials,
  UserRepository,
} from '@toolkit/gateway-domain';
import { SequenceAllocator, toStorageError } from '@toolkit/mongo';
import { defined, findOneDocument, listDocuments } from '../mongo-helpers';
import type { UserDoc } from './user.schema';
import { userModel } from './user.schema';

function toUser(doc: UserDoc): User {
  return {
    id: doc._id,
    username: doc.username,
    firstName: doc.first_name ?? '',
    lastName: doc.last_name ?? '',
    email: doc.email ?? '',
    isActive: doc.is_active,
    isStaff: doc.is_staff,
    isSuperuser: doc.is_superuser,
    groupIds: doc.groups ?? [],
    dateJoined: doc.date_joined,
    lastLogin: doc.last_login ?? null,
  };
}

function toDoc(user: Partial<NewUser>): Partial<UserDoc> {
  return defined({
    username: user.username,
    password_hash: user.passwordHash,
    first_name: user.firstName,
    last_name: user.lastName,
    email: user.email,
    is_active: user.isActive,
    is_staff: user.isStaff,
    is_superuser: user.isSuperuser,
    groups: user.groupIds,
  }) as Partial<UserDoc>;
}

export class MongoUserRepository implements UserRepository {
  /** For index creation at boot only. */
  readonly model: Model<UserDoc>;

  constructor(
    connection: Connection,
    private readonly ids: SequenceAllocator = new SequenceAllocator(connection),
  ) {
    this.model = userModel(connection);
  }

  findById(id: number): Promise<User | undefined> {
    return findOneDocument(this.model, { _id: id }, toUser, 'user');
  }

  findOne(filter: Record<string, unknown>): Promise<User | undefined> {
    return findOneDocument(this.model, filter, toUser, 'user');
  }

  async findCredentials(username: string): Promise<UserCredentials | undefined> {
    const doc = await this.model
      .findOne({ username })
      .lean<UserDoc>()
      .catch((error: unknown) => {
        throw toStorageError(error, 'user');
      });
    return doc ? { user: toUser(doc), passwordHash: doc.password_hash ?? null } : undefined;
  }

  list(query: ListRequest): Promise<ListResult<User>> {
    return listDocuments(this.model, query, toUser, 'user');
  }

  async create(user: NewUser): Promise<User> {
    const [id] = await this.ids.take('users');
    try {
      const created = await this.model.create({
        ...toDoc(user),
        _id: id,
        date_joined: new Date(),
        last_login: null,
      });
      return toUser(created.toObject());
    } catch (error) {
      throw toStorageError(error, 'user', ['username']);
    }
  }

  async update(id: number, changes: Partial<NewUser>): Promise<User | undefined> {
    try {
      const doc = await this.model
        .findOneAndUpdate({ _id: id }, { $set: toDoc(changes) }, { new: true })
        .lean<UserDoc>();
      return doc ? toUser(doc) : undefined;
    } catch (error) {
      throw toStorageError(error, 'user', ['username']);
    }
  }

  async delete(id: number): Promise<boolean> {
    const result = await this.model.deleteOne({ _id: id }).catch((error: unknown) => {
      throw toStorageError(error, 'user');
    });
    return result.deletedCount > 0;
  }

  async recordLogin(id: number, at: Date): Promise<void> {
    await this.model
      .updateOne({ _id: id }, { $set: { last_login: at } })
      .catch((error: unknown) => {
        throw toStorageError(error, 'user');
      });
  }
}
