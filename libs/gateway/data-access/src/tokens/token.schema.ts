import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';

export interface TokenDoc {
  _id: number;
  user: number;
  lookup_id: string;
  secret_hash: string;
  created: Date;
  expires: Date | null;
  last_used: Date | null;
  write_enabled: boolean;
  description: string;
  allowed_ips: string[];
}

const tokenSchema = new Schema<TokenDoc>(
  {
    _id: { type: Number, required: true },
    user: { type: Number, required: true },
    lookup_id: { type: String, required: true },
    secret_hash: { type: String, required: true },
    created: { type: Date, required: true },
    expires: { type: Date, default: null },
    last_used: { type: Date, default: null },
    write_enabled: { type: Boolean, default: true },
    description: { type: String, default: '' },
    allowed_ips: { type: [String], default: [] },
  },
  { versionKey: false, collection: 'tokens' },
);
tokenSchema.index({ lookup_id: 1 }, { unique: true });
tokenSchema.index({ user: 1 });

export function tokenModel(connection: Connection): Model<TokenDoc> {
  return (
    (connection.models['GatewayToken'] as Model<TokenDoc> | undefined) ??
    connection.model<TokenDoc>('GatewayToken', tokenSchema)
  );
}
