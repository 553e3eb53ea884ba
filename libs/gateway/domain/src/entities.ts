/** A constraint: one filter object in the list filter language (`{"name__ic": "show"}`). */
export type ConstraintFilter = Record<string, unknown>;

export interface User {
  id: number;
  username: string;
  firstName: string;
  lastName: string;
  email: string;
  isActive: boolean;
  isStaff: boolean;
  isSuperuser: boolean;
  groupIds: number[];
  dateJoined: Date;
  lastLogin: Date | null;
}

/** A user with its password hash: only the authentication use cases see it. */
export interface UserCredentials {
  user: User;
  passwordHash: string | null;
}

export interface Group {
  id: number;
  name: string;
  description: string;
}

export interface ObjectPermission {
  id: number;
  name: string;
  description: string;
  enabled: boolean;
  objectTypes: string[];
  actions: string[];
  /** null: no constraint (every object of the types). A list is OR-ed. */
  constraints: ConstraintFilter | ConstraintFilter[] | null;
  userIds: number[];
  groupIds: number[];
}

export interface ApiToken {
  id: number;
  userId: number;
  /** Stored in clear, unique index: the token is found by it in one indexed read. */
  lookupId: string;
  /** SHA-256 of the secret part; the key itself is never stored. */
  secretHash: string;
  created: Date;
  expires: Date | null;
  lastUsed: Date | null;
  writeEnabled: boolean;
  description: string;
  /** CIDR ranges the token may be used from; empty means anywhere. */
  allowedIps: string[];
}
