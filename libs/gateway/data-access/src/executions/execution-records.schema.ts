import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';

/**
 * The gateway's execution records. Every write is keyed by `_id` (an insert that must be
 * unique, or an update of one document), and every hot read is a top-level equality: what
 * FerretDB 1.24 pushes down, and what MongoDB 7 serves from the indexes below. There is no
 * TTL index on FerretDB: a periodic bounded delete removes expired records.
 */

/** One generation of one rate-limit slot of a device (see RateSlot). */
export interface RateSlotDoc {
  _id: string;
  device_id: number;
  slot: number;
  generation: number;
  state: 'reserved' | 'counted' | 'released';
  execution_id: string;
  at: Date;
  expires_at: Date;
}

const rateSlotSchema = new Schema<RateSlotDoc>(
  {
    _id: String,
    device_id: { type: Number, required: true },
    slot: Number,
    generation: Number,
    state: String,
    execution_id: String,
    at: Date,
    expires_at: Date,
  },
  { versionKey: false, collection: 'rate_limit_slots' },
);
rateSlotSchema.index({ device_id: 1 });

/** An authentication failure of a device login (keyed by execution: recorded once). */
export interface AuthFailureDoc {
  _id: string;
  device_id: number;
  username: string;
  at: Date;
}

const authFailureSchema = new Schema<AuthFailureDoc>(
  {
    _id: String,
    device_id: { type: Number, required: true },
    username: String,
    at: Date,
  },
  { versionKey: false, collection: 'device_auth_failures' },
);
authFailureSchema.index({ device_id: 1, at: -1 });
authFailureSchema.index({ at: 1 });

/** An Idempotency-Key of a user (`_id`: keyed hash of user id and key). */
export interface IdempotencyKeyDoc {
  _id: string;
  user_id: number;
  fingerprint: string;
  execution_id: string;
  state: 'pending' | 'accepted' | 'failed';
  created: Date;
  expires_at: Date;
}

const idempotencyKeySchema = new Schema<IdempotencyKeyDoc>(
  {
    _id: String,
    user_id: Number,
    fingerprint: String,
    execution_id: String,
    state: String,
    created: Date,
    expires_at: Date,
  },
  { versionKey: false, collection: 'idempotency_keys' },
);
idempotencyKeySchema.index({ expires_at: 1 });

/** An execution this gateway accepted, until analytics knows it (cancel right after 202). */
export interface ExecutionTicketDoc {
  _id: string;
  user_id: number;
  username: string;
  device_id: number;
  device_name: string;
  command_type: 'show' | 'config';
  created: Date;
}

const ticketSchema = new Schema<ExecutionTicketDoc>(
  {
    _id: String,
    user_id: Number,
    username: String,
    device_id: Number,
    device_name: String,
    command_type: String,
    created: Date,
  },
  { versionKey: false, collection: 'execution_tickets' },
);
ticketSchema.index({ created: 1 });

function model<D>(connection: Connection, name: string, schema: Schema<D>): Model<D> {
  return (connection.models[name] as Model<D> | undefined) ?? connection.model<D>(name, schema);
}

export const rateSlotModel = (c: Connection) => model(c, 'GatewayRateSlot', rateSlotSchema);
export const authFailureModel = (c: Connection) =>
  model(c, 'GatewayDeviceAuthFailure', authFailureSchema);
export const idempotencyKeyModel = (c: Connection) =>
  model(c, 'GatewayIdempotencyKey', idempotencyKeySchema);
export const executionTicketModel = (c: Connection) =>
  model(c, 'GatewayExecutionTicket', ticketSchema);
