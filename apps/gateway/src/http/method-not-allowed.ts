import type { RequestHandler } from 'express';
import type { RouteSpec } from '../routes/route-table';

const ORDER = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `/api/dcim/devices/{id}/` as a regular expression; integer ids match digits only. */
function pattern(route: RouteSpec): RegExp {
  const param = route.idType === 'string' ? '[^/]+' : '\\d+';
  const source = route.path
    .split(/\{\w+\}/)
    .map(escape)
    .join(param);
  return new RegExp(`^${source}$`);
}

/**
 * Mounted after every route: a path the table knows, asked with a method it does not
 * serve, answers DRF's 405 `{"detail": "Method \"X\" not allowed."}` with an `Allow`
 * header (HEAD wherever GET is served). Unknown paths fall through to the 404.
 */
export function methodNotAllowed(routes: readonly RouteSpec[]): RequestHandler {
  const byPath = new Map<string, { regex: RegExp; methods: Set<string> }>();
  for (const route of routes) {
    const entry = byPath.get(route.path) ?? { regex: pattern(route), methods: new Set() };
    entry.methods.add(route.method.toUpperCase());
    if (route.method === 'get') entry.methods.add('HEAD');
    byPath.set(route.path, entry);
  }
  const entries = [...byPath.values()];
  return (req, res, next) => {
    const allowed = new Set<string>();
    for (const entry of entries)
      if (entry.regex.test(req.path)) for (const m of entry.methods) allowed.add(m);
    if (allowed.size === 0 || allowed.has(req.method)) {
      next();
      return;
    }
    res.set('Allow', ORDER.filter((m) => allowed.has(m)).join(', '));
    res.status(405).json({ detail: `Method "${req.method}" not allowed.` });
  };
}
