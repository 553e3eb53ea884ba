import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';

export interface PermissionDoc {
  _id: number;
  name: string;
  description: string;
  enabled: boolean;
  object_types: string[];
  actions: string[];
  /**
   * JSON text: constraint keys are filter names chosen by users, and the MongoDB-wire
   * server refuses keys with `.` or `$`; nothing filters on them.
   */
  constraints_json: string | null;
  users: number[];
  groups: number[];
}

const permissionSchema = new Schema<PermissionDoc>(
  {
    _id: { type: Number, required: true },
    name: { type: String, required: true },
    description: { type: String, default: '' },
    enabled: { type: Boolean, default: true },
    object_types: { type: [String], default: [] },
    actions: { type: [String], default: [] },
    constraints_json: { type: String, default: null },
    users: { type: [Number], default: [] },
    groups: { type: [Number], default: [] },
  },
  { versionKey: false, collection: 'object_permissions' },
);
permissionSchema.index({ name: 1 }, { unique: true });
permissionSchema.index({ users: 1 });
permissionSchema.index({ groups: 1 });
permissionSchema.index({ object_types: 1 });

export function permissionModel(connection: Connection): Model<PermissionDoc> {
  return (
    (connection.models['GatewayObjectPermission'] as Model<PermissionDoc> | undefined) ??
    connection.model<PermissionDoc>('GatewayObjectPermission', permissionSchema)
  );
}
