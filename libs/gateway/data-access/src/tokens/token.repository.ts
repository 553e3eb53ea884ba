import type { Connection, Model } from 'mongoose';
import type {
  ApiToken,
  ListRequest,
  ListResult,
  NewApiToken,
  TokenRepository,
} from '@toolkit/gateway-domain';
import { SequenceAllocator, toStorageError } from '@toolkit/mongo';
import { defined, findOneDocument, listDocuments } from '../mongo-helpers';
import type { TokenDoc } from './token.schema';
import { tokenModel } from './token.schema';

function toToken(doc: TokenDoc): ApiToken {
  return {
    id: doc._id,
    userId: doc.user,
    lookupId: doc.lookup_id,
    secretHash: doc.secret_hash,
    created: doc.created,
    expires: doc.expires ?? null,
    lastUsed: doc.last_used ?? null,
    writeEnabled: doc.write_enabled,
    description: doc.description ?? '',
    allowedIps: doc.allowed_ips ?? [],
  };
}

export class MongoTokenRepository implements TokenRepository {
  /** For index creation at boot only. */
  readonly model: Model<TokenDoc>;

  constructor(
    connection: Connection,
    private readonly ids: SequenceAllocator = new SequenceAllocator(connection),
  ) {
    this.model = tokenModel(connection);
  }

  findByLookupId(lookupId: string): Promise<ApiToken | undefined> {
    return findOneDocument(this.model, { lookup_id: lookupId }, toToken, 'token');
  }

  findById(id: number): Promise<ApiToken | undefined> {
    return findOneDocument(this.model, { _id: id }, toToken, 'token');
  }

  findOne(filter: Record<string, unknown>): Promise<ApiToken | undefined> {
    return findOneDocument(this.model, filter, toToken, 'token');
  }

  list(query: ListRequest): Promise<ListResult<ApiToken>> {
    return listDocuments(this.model, query, toToken, 'token');
  }

  async create(token: NewApiToken): Promise<ApiToken> {
    const [id] = await this.ids.take('tokens');
    try {
      const created = await this.model.create({
        _id: id,
        user: token.userId,
        lookup_id: token.lookupId,
        secret_hash: token.secretHash,
        created: token.created,
        expires: token.expires,
        last_used: token.lastUsed ?? null,
        write_enabled: token.writeEnabled,
        description: token.description,
        allowed_ips: token.allowedIps,
      });
      return toToken(created.toObject());
    } catch (error) {
      throw toStorageError(error, 'token', ['key']);
    }
  }

  async update(
    id: number,
    changes: Partial<Pick<ApiToken, 'expires' | 'writeEnabled' | 'description' | 'allowedIps'>>,
  ): Promise<ApiToken | undefined> {
    try {
      const doc = await this.model
        .findOneAndUpdate(
          { _id: id },
          {
            $set: defined({
              expires: changes.expires,
              write_enabled: changes.writeEnabled,
              description: changes.description,
              allowed_ips: changes.allowedIps,
            }),
          },
          { new: true },
        )
        .lean<TokenDoc>();
      return doc ? toToken(doc) : undefined;
    } catch (error) {
      throw toStorageError(error, 'token');
    }
  }

  async delete(id: number): Promise<boolean> {
    const result = await this.model.deleteOne({ _id: id }).catch((error: unknown) => {
      throw toStorageError(error, 'token');
    });
    return result.deletedCount > 0;
  }

  async touchLastUsed(id: number, at: Date): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: { last_used: at } }).catch((error: unknown) => {
      throw toStorageError(error, 'token');
    });
  }
}
