import type { Connection } from 'mongoose';

/**
 * Statements per write command. FerretDB 1.24 (SQLite) keeps one pooled SQLite connection
 * per matched statement of an update command until the command ends (msg_update.go defers
 * each statement's iterator close), and the pool holds 100 connections per database: a
 * command, or several concurrent commands, matching 100 documents or more wait for a
 * connection that never frees, and hold the pool forever (probed: a command of 100 upserts
 * of existing documents never answers, `maxTimeMS` is ignored; docs/decisions/0003-analytics-ingest.md,
 * the ingest stall).
 */
export const WRITE_CHUNK = 50;

/**
 * Serializes the write commands of one process on one database, so the statements in
 * flight never exceed WRITE_CHUNK (plus the driver pool's open cursors, at most 20),
 * well under FerretDB's 100 connections. Costs nothing measurable on MongoDB, where
 * one writer per collection at a time is what the consumers did anyway.
 */
export class WriteGate {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

const gates = new WeakMap<Connection, WriteGate>();

/** The gate shared by every repository on `connection`. */
export function writeGateOf(connection: Connection): WriteGate {
  let gate = gates.get(connection);
  if (!gate) {
    gate = new WriteGate();
    gates.set(connection, gate);
  }
  return gate;
}
