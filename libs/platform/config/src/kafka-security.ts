import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import type { KafkaEnv, KafkaSaslMechanism } from './fragments';
import { ConfigError } from './load-config';

/**
 * The Kafka connection's security settings: the rules between the KAFKA_SASL_* and
 * KAFKA_SSL* variables, and the PEM files read at boot. Client-neutral: the messaging
 * library turns them into its client's options.
 */

type KafkaSecurityEnv = Pick<
  KafkaEnv,
  | 'KAFKA_SSL'
  | 'KAFKA_SASL_MECHANISM'
  | 'KAFKA_SASL_USERNAME'
  | 'KAFKA_SASL_PASSWORD'
  | 'KAFKA_SSL_CA_FILE'
  | 'KAFKA_SSL_CERT_FILE'
  | 'KAFKA_SSL_KEY_FILE'
>;

export interface KafkaSecurity {
  /**
   * false: plaintext; true: TLS against Node's CA store; PEM buffers: those instead. The
   * buffers are getters that read their file again on every access (each new broker
   * connection), so a rotated certificate (a Kubernetes Secret updated in place) is used
   * without a restart; copy them with their descriptors, not by spreading.
   */
  ssl: boolean | { readonly ca?: Buffer; readonly cert?: Buffer; readonly key?: Buffer };
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
}

export interface KafkaEnvProblem {
  variable: keyof KafkaSecurityEnv;
  message: string;
}

const SSL_FILES = ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const;

/** What is inconsistent between the Kafka security variables (never their values). */
export function kafkaEnvProblems(env: KafkaSecurityEnv): KafkaEnvProblem[] {
  const problems: KafkaEnvProblem[] = [];
  if (env.KAFKA_SASL_MECHANISM) {
    for (const variable of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (!env[variable])
        problems.push({ variable, message: 'required when KAFKA_SASL_MECHANISM is set' });
    }
  } else {
    for (const variable of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (env[variable])
        problems.push({ variable, message: 'set without KAFKA_SASL_MECHANISM (no SASL)' });
    }
  }
  if (env.KAFKA_SSL_CERT_FILE && !env.KAFKA_SSL_KEY_FILE)
    problems.push({ variable: 'KAFKA_SSL_KEY_FILE', message: 'required with KAFKA_SSL_CERT_FILE' });
  if (env.KAFKA_SSL_KEY_FILE && !env.KAFKA_SSL_CERT_FILE)
    problems.push({ variable: 'KAFKA_SSL_CERT_FILE', message: 'required with KAFKA_SSL_KEY_FILE' });
  if (!env.KAFKA_SSL) {
    for (const variable of SSL_FILES) {
      if (env[variable]) problems.push({ variable, message: 'needs KAFKA_SSL=true' });
    }
  }
  return problems;
}

/** `z.object({ ...kafkaEnv, ... }).superRefine(refineKafkaEnv)`: the rules as config issues. */
export function refineKafkaEnv(env: KafkaSecurityEnv, ctx: z.RefinementCtx): void {
  for (const problem of kafkaEnvProblems(env))
    ctx.addIssue({ code: 'custom', path: [problem.variable], message: problem.message });
}

/** A PEM file read after boot that could not be used: its last content is used instead. */
export interface StalePemFile {
  variable: (typeof SSL_FILES)[number];
  path: string;
  /** The read error's code, or `no whole PEM block`. */
  reason: string;
}

/**
 * The security settings with their files read. Throws a ConfigError naming the variable
 * when the rules are broken or a file is missing, unreadable or not PEM at boot; later,
 * a file that cannot be read or holds no PEM block (mid-rotation) keeps its last content,
 * and `onStale` hears of it once until the file reads well again (a Secret that stays
 * broken would otherwise go unnoticed until the certificate in memory expires).
 */
export function readKafkaSecurity(
  env: KafkaSecurityEnv,
  readFile: (path: string) => Buffer = (path) => readFileSync(path),
  onStale: (file: StalePemFile) => void = () => undefined,
): KafkaSecurity {
  const problems = kafkaEnvProblems(env).map((p) => `${p.variable}: ${p.message}`);
  const files: Partial<Record<(typeof SSL_FILES)[number], Buffer>> = {};
  for (const variable of SSL_FILES) {
    const path = env[variable];
    if (!path) continue;
    try {
      const content = readFile(path);
      if (isWholePem(content)) files[variable] = content;
      else problems.push(`${variable}: ${path} holds no PEM block`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      problems.push(`${variable}: cannot read ${path} (${code})`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD } = env;
  const pems = {};
  const stale = new Set<StalePemFile['variable']>();
  const fresh = (variable: StalePemFile['variable']): Buffer | undefined => {
    const path = env[variable] as string;
    let reason = 'no whole PEM block';
    try {
      const content = readFile(path);
      if (isWholePem(content)) {
        stale.delete(variable);
        return content;
      }
    } catch (error) {
      reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    }
    if (!stale.has(variable)) {
      stale.add(variable);
      onStale({ variable, path, reason });
    }
    return undefined;
  };
  let ca = files.KAFKA_SSL_CA_FILE;
  if (ca)
    Object.defineProperty(pems, 'ca', {
      enumerable: true,
      get: (): Buffer => (ca = fresh('KAFKA_SSL_CA_FILE') ?? (ca as Buffer)),
    });
  // The certificate and its key change together: read as a pair when the certificate is
  // (kafkajs copies `cert` before `key`), kept as a pair while either is mid-rotation.
  let pair = files.KAFKA_SSL_CERT_FILE && {
    cert: files.KAFKA_SSL_CERT_FILE,
    key: files.KAFKA_SSL_KEY_FILE as Buffer,
  };
  if (pair) {
    Object.defineProperty(pems, 'cert', {
      enumerable: true,
      get: (): Buffer => {
        const cert = fresh('KAFKA_SSL_CERT_FILE');
        const key = fresh('KAFKA_SSL_KEY_FILE');
        if (cert && key) pair = { cert, key };
        return (pair as { cert: Buffer }).cert;
      },
    });
    Object.defineProperty(pems, 'key', {
      enumerable: true,
      get: (): Buffer => (pair as { key: Buffer }).key,
    });
  }
  return {
    ssl: Object.keys(pems).length > 0 ? pems : env.KAFKA_SSL,
    ...(mechanism && {
      sasl: {
        mechanism,
        username: KAFKA_SASL_USERNAME ?? '',
        password: KAFKA_SASL_PASSWORD ?? '',
      },
    }),
  };
}

/** A PEM block from its first line to its last (a file caught half written has no end). */
function isWholePem(content: Buffer): boolean {
  const begin = content.indexOf('-----BEGIN ');
  return begin >= 0 && content.indexOf('-----END ', begin) > begin;
}
