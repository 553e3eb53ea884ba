import type { CommandType, PlatformDriver, SealedBox } from '@toolkit/contracts';
import type { CommandVariable, VlanRef } from './variable-rendering';

/**
 * Catalog objects as stored: integer `_id` (NetBox ids), denormalised references
 * (`{id, name, slug}`) so that lists filter and sort without joins, kept current by
 * cascades when the referenced object changes.
 */
export interface StoredBase {
  _id: number;
  created: Date;
  last_updated: Date;
  /** The write transaction that stored this version (a rollback undoes only its own). */
  _txn?: string;
}

export interface Tag {
  name: string;
  slug: string;
}

export interface Taggable {
  tags: Tag[];
  custom_fields: Record<string, unknown>;
}

export interface NamedRef {
  id: number;
  name: string;
  slug: string;
}

export interface PlatformDoc extends StoredBase, Taggable {
  name: string;
  slug: string;
  description: string;
  driver: PlatformDriver | null;
  netbox_id: number | null;
}

export interface SiteDoc extends StoredBase, Taggable {
  name: string;
  slug: string;
  status: string;
  description: string;
  netbox_id: number | null;
}

export interface IpRef {
  id: number;
  address: string;
}

export interface DeviceDoc extends StoredBase, Taggable {
  name: string;
  platform: NamedRef | null;
  site: NamedRef | null;
  status: string;
  serial: string;
  description: string;
  host: string | null;
  port: number;
  primary_ip4: IpRef | null;
  primary_ip6: IpRef | null;
  netbox_id: number | null;
}

export interface InterfaceDoc extends StoredBase, Taggable {
  device: { id: number; name: string };
  name: string;
  type: string;
  enabled: boolean;
  description: string;
  mtu: number | null;
  mac_address: string | null;
  mode: string | null;
  untagged_vlan: VlanRef | null;
  tagged_vlans: VlanRef[];
  /** Ids of the untagged and tagged VLANs, for the `vlan_id` filter. */
  vlan_ids: number[];
  netbox_id: number | null;
}

export interface VlanDoc extends StoredBase, Taggable {
  vid: number;
  name: string;
  site: NamedRef | null;
  status: string;
  description: string;
  netbox_id: number | null;
}

export interface IpAddressDoc extends StoredBase, Taggable {
  address: string;
  family: 4 | 6;
  status: string;
  dns_name: string;
  description: string;
  assigned_object_id: number | null;
  assigned_object: { id: number; name: string; device: { id: number; name: string } } | null;
  netbox_id: number | null;
}

export interface CommandDoc extends StoredBase, Taggable {
  name: string;
  command: string;
  description: string;
  platforms: NamedRef[];
  command_type: CommandType;
  parsing_template: string | null;
  variables: CommandVariable[];
}

/** A custom TextFSM template (library templates are not stored: they are read from disk). */
export interface ParsingTemplateDoc extends StoredBase {
  name: string;
  /** Always `custom`: stored so that permission constraints on `source` hold for both kinds. */
  source: 'custom';
  description: string;
  platform: PlatformDriver;
  /** Index `Command` cell as written (`sh[[ow]] ver[[sion]]`); empty: selected by name only. */
  command: string;
  text: string;
}

export interface CredentialSetDoc extends StoredBase, Taggable {
  owner: { id: number; username: string };
  name: string;
  description: string;
  platforms: NamedRef[];
  username: string;
  /** `{password, enable_secret}` sealed with CREDENTIAL_KEYS; AAD = the set's id. */
  secret: SealedBox;
  has_enable_secret: boolean;
  /** Public part of the credential token (unique index); the secret part only as a hash. */
  token_lookup_id: string;
  token_hash: string;
  is_active: boolean;
  last_used: Date | null;
}

export interface ObjectChangeDoc {
  _id: number;
  time: Date;
  user: { id: number; username: string } | null;
  user_name: string;
  request_id: string | null;
  action: 'create' | 'update' | 'delete';
  changed_object_type: string;
  changed_object_id: number;
  object_repr: string;
  prechange_data: Record<string, unknown> | null;
  postchange_data: Record<string, unknown> | null;
  /** Set for objects only their owner sees (credential sets): the record is theirs only. */
  owner_id?: number | null;
  /** The write transaction that recorded it (rolled back together). */
  txn?: string | null;
}
