import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';

/** Stored with NetBox's field names, so list filters and constraints map one to one. */
export interface UserDoc {
  _id: number;
  username: string;
  password_hash: string | null;
  first_name: string;
  last_name: string;
  email: string;
  is_active: boolean;
  is_staff: boolean;
  is_superuser: boolean;
  groups: number[];
  date_joined: Date;
  last_login: Date | null;
}

const userSchema = new Schema<UserDoc>(
  {
    _id: { type: Number, required: true },
    username: { type: String, required: true },
    password_hash: { type: String, default: null },
    first_name: { type: String, default: '' },
    last_name: { type: String, default: '' },
    email: { type: String, default: '' },
    is_active: { type: Boolean, default: true },
    is_staff: { type: Boolean, default: false },
    is_superuser: { type: Boolean, default: false },
    groups: { type: [Number], default: [] },
    date_joined: { type: Date, required: true },
    last_login: { type: Date, default: null },
  },
  { versionKey: false, collection: 'users' },
);
userSchema.index({ username: 1 }, { unique: true });
userSchema.index({ groups: 1 });

export function userModel(connection: Connection): Model<UserDoc> {
  return (
    (connection.models['GatewayUser'] as Model<UserDoc> | undefined) ??
    connection.model<UserDoc>('GatewayUser', userSchema)
  );
}
