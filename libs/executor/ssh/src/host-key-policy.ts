import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from '@toolkit/logger';

/**
 * How device host keys are checked. There is no silent default:
 * - `strict`: the key must be listed for the host in a known_hosts file (OpenSSH format,
 *   hashed names and `[host]:port` entries understood); anything else is refused.
 * - `accept-new`: trust on first use, in memory: the first key seen for host:port is
 *   remembered (its fingerprint logged) and a different key later is refused. For the
 *   simulator and test stacks.
 * - `accept-any`: accepts every key (logged once per host). Only as an explicit choice.
 */
export type KnownHostsMode = 'strict' | 'accept-new' | 'accept-any';

export interface HostKeyPolicyOptions {
  mode: KnownHostsMode;
  /** known_hosts file (strict; optional seed for accept-new). */
  knownHostsPath?: string;
  logger: Logger;
}

export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

interface KnownEntry {
  /** Plain host patterns (`host` or `[host]:port`) or a hashed one. */
  hosts: string[];
  hashed?: { salt: Buffer; hash: Buffer };
  key: Buffer;
  revoked: boolean;
}

export function parseKnownHosts(text: string): KnownEntry[] {
  const entries: KnownEntry[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let revoked = false;
    if (fields[0]?.startsWith('@')) {
      const marker = fields.shift();
      if (marker === '@cert-authority') continue;
      revoked = marker === '@revoked';
    }
    const [hostField, , keyField] = fields;
    if (!hostField || !keyField) continue;
    const key = Buffer.from(keyField, 'base64');
    if (hostField.startsWith('|1|')) {
      const [, , salt, hash] = hostField.split('|');
      if (!salt || !hash) continue;
      entries.push({
        hosts: [],
        hashed: { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') },
        key,
        revoked,
      });
    } else {
      entries.push({ hosts: hostField.split(','), key, revoked });
    }
  }
  return entries;
}

function hostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function entryMatches(entry: KnownEntry, name: string): boolean {
  if (entry.hashed) {
    const digest = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return digest.equals(entry.hashed.hash);
  }
  return entry.hosts.some((h) => !h.startsWith('!') && h === name);
}

export class HostKeyPolicy {
  private readonly entries: KnownEntry[];
  private readonly trusted = new Map<string, Buffer>();
  private readonly logger: Logger;

  constructor(private readonly options: HostKeyPolicyOptions) {
    this.logger = options.logger.child({ module: 'host-keys' });
    if (options.mode === 'strict' && !options.knownHostsPath) {
      throw new Error('known-hosts mode "strict" needs a known_hosts file');
    }
    this.entries = options.knownHostsPath
      ? parseKnownHosts(readFileSync(options.knownHostsPath, 'utf8'))
      : [];
  }

  get mode(): KnownHostsMode {
    return this.options.mode;
  }

  /** ssh2 `hostVerifier` for one target (raw key blob in, verdict out). */
  verifierFor(host: string, port: number): (key: Buffer) => boolean {
    return (key: Buffer) => this.verify(host, port, key);
  }

  verify(host: string, port: number, key: Buffer): boolean {
    const name = hostName(host, port);
    const listed = this.entries.filter((e) => entryMatches(e, name));
    if (listed.some((e) => e.revoked && e.key.equals(key))) {
      this.logger.warn({ host: name, fingerprint: fingerprintOf(key) }, 'revoked host key refused');
      return false;
    }
    const known = listed.filter((e) => !e.revoked);
    if (known.length > 0) {
      const ok = known.some((e) => e.key.equals(key));
      if (!ok)
        this.logger.warn(
          { host: name, fingerprint: fingerprintOf(key) },
          'host key does not match known_hosts: refused',
        );
      return ok;
    }
    switch (this.options.mode) {
      case 'strict':
        this.logger.warn(
          { host: name, fingerprint: fingerprintOf(key) },
          'host not in known_hosts: refused',
        );
        return false;
      case 'accept-any':
        if (!this.trusted.has(name)) {
          this.trusted.set(name, key);
          this.logger.warn(
            { host: name, fingerprint: fingerprintOf(key) },
            'accepting host key without verification (known-hosts mode accept-any)',
          );
        }
        return true;
      case 'accept-new': {
        const seen = this.trusted.get(name);
        if (!seen) {
          this.trusted.set(name, Buffer.from(key));
          this.logger.info(
            { host: name, fingerprint: fingerprintOf(key) },
            'new host key trusted on first use',
          );
          return true;
        }
        if (seen.equals(key)) return true;
        this.logger.warn(
          { host: name, fingerprint: fingerprintOf(key), expected: fingerprintOf(seen) },
          'host key changed since first use: refused',
        );
        return false;
      }
    }
  }
}
