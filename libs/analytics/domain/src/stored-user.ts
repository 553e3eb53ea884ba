/** Who asked, as executions, command logs and bulk jobs store it: NetBox's nested user. */
export interface StoredUser {
  /** Null when the request named no user id (a token of no user). */
  id: number | null;
  username: string;
}

/** A message's `requestedBy` as stored. */
export function storedUserOf(by: { userId?: number | null; username: string }): StoredUser {
  return { id: by.userId ?? null, username: by.username };
}
