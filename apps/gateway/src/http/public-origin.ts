import type { Request } from 'express';

/**
 * The origin clients use: PUBLIC_URL when configured, else the request's scheme and host
 * (X-Forwarded-Proto/Host are honoured from trusted proxies only: express `trust proxy`).
 */
export function publicOrigin(req: Request, publicUrl: string | undefined): string {
  if (publicUrl) return new URL(publicUrl).origin;
  return `${req.protocol}://${req.host || 'localhost'}`;
}
