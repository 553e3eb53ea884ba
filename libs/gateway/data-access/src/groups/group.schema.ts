import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';

export interface GroupDoc {
  _id: number;
  name: string;
  description: string;
}

const groupSchema = new Schema<GroupDoc>(
  {
    _id: { type: Number, required: true },
    name: { type: String, required: true },
    description: { type: String, default: '' },
  },
  { versionKey: false, collection: 'groups' },
);
groupSchema.index({ name: 1 }, { unique: true });

export function groupModel(connection: Connection): Model<GroupDoc> {
  return (
    (connection.models['GatewayGroup'] as Model<GroupDoc> | undefined) ??
    connection.model<GroupDoc>('GatewayGroup', groupSchema)
  );
}
