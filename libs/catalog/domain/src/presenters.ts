import type { z } from 'zod';
import type { tagInputSchema } from '@toolkit/api-contracts';
import type { IpRef, NamedRef, Tag } from './entities';
import type { VlanRef } from './variable-rendering';

/** NetBox's representations: absolute `url`s, brief nested objects, `{value, label}` choices. */
export function objectUrl(baseUrl: string, path: string, id: number): string {
  return `${baseUrl}${path}${id}/`;
}

export function iso(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

export function choice(
  choices: readonly { value: string; label: string }[],
  value: string,
): { value: string; label: string } {
  return { value, label: choices.find((c) => c.value === value)?.label ?? value };
}

export const PATHS = {
  platform: '/api/dcim/platforms/',
  site: '/api/dcim/sites/',
  device: '/api/dcim/devices/',
  interface: '/api/dcim/interfaces/',
  vlan: '/api/ipam/vlans/',
  ipAddress: '/api/ipam/ip-addresses/',
  command: '/api/plugins/toolkit/commands/',
  credentialSet: '/api/plugins/toolkit/credential-sets/',
  objectChange: '/api/core/object-changes/',
} as const;

export function namedBrief(baseUrl: string, path: string, ref: NamedRef) {
  return {
    id: ref.id,
    url: objectUrl(baseUrl, path, ref.id),
    display: ref.name,
    name: ref.name,
    slug: ref.slug,
  };
}

export function deviceBrief(baseUrl: string, ref: { id: number; name: string }) {
  return {
    id: ref.id,
    url: objectUrl(baseUrl, PATHS.device, ref.id),
    display: ref.name,
    name: ref.name,
  };
}

export function vlanBrief(baseUrl: string, ref: VlanRef) {
  return {
    id: ref.id,
    url: objectUrl(baseUrl, PATHS.vlan, ref.id),
    display: `${ref.name} (${ref.vid})`,
    vid: ref.vid,
    name: ref.name,
  };
}

export function ipBrief(baseUrl: string, ref: IpRef) {
  return {
    id: ref.id,
    url: objectUrl(baseUrl, PATHS.ipAddress, ref.id),
    display: ref.address,
    family: ref.address.includes(':') ? 6 : 4,
    address: ref.address,
  };
}

export function presentTags(tags: readonly Tag[]) {
  return tags.map((t) => ({ name: t.name, slug: t.slug, display: t.name }));
}

export function slugify(text: string): string {
  return (
    text
      .toLowerCase()
      .trim()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'tag'
  );
}

export function normaliseTags(
  input: readonly z.output<typeof tagInputSchema>[] | undefined,
): Tag[] {
  const bySlug = new Map<string, Tag>();
  for (const tag of input ?? []) {
    const name = typeof tag === 'string' ? tag : (tag.name ?? tag.slug ?? '');
    const slug = typeof tag === 'string' ? slugify(tag) : (tag.slug ?? slugify(name));
    if (!bySlug.has(slug)) bySlug.set(slug, { name, slug });
  }
  return [...bySlug.values()];
}
