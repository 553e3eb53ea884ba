import { createRequire } from 'node:module';
import path from 'node:path';
import express from 'express';
import type { Express } from 'express';
import { stringify } from 'yaml';

const requireFromHere = createRequire(__filename);

/** Asset folders of the npm packages (no CDN: the machines have no internet). */
function packageDir(name: string): string {
  return path.dirname(requireFromHere.resolve(`${name}/package.json`));
}

const STATIC_OPTIONS = { index: false, maxAge: '1h', fallthrough: false } as const;

const SWAGGER_HTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Toolkit API - Swagger UI</title>
<link rel="stylesheet" href="/api/docs/static/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/static/swagger-ui-bundle.js"></script>
<script src="/api/docs/static/init.js"></script>
</body>
</html>
`;

// A file rather than an inline script: the docs CSP allows only the gateway's own scripts.
const SWAGGER_INIT = `window.ui = SwaggerUIBundle({
  url: '/api/schema/',
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: true,
});
`;

const REDOC_HTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Toolkit API - ReDoc</title>
</head>
<body>
<redoc spec-url="/api/schema/"></redoc>
<script src="/api/redoc/static/redoc.standalone.js"></script>
</body>
</html>
`;

/** `/api/schema/` (JSON, or YAML with ?format=yaml), Swagger UI and ReDoc. */
export function mountDocsRoutes(app: Express, document: () => Record<string, unknown>): void {
  let yamlCache: string | undefined;
  app.get('/api/schema/', (req, res) => {
    const format = String(req.query['format'] ?? 'json');
    if (format === 'yaml' || format === 'openapi') {
      yamlCache ??= stringify(document(), { aliasDuplicateObjects: false });
      res.type('application/yaml').send(yamlCache);
      return;
    }
    res.json(document());
  });
  app.get('/api/docs/', (_req, res) => {
    res.type('html').send(SWAGGER_HTML);
  });
  app.get('/api/docs/static/init.js', (_req, res) => {
    res.type('application/javascript').send(SWAGGER_INIT);
  });
  app.use('/api/docs/static', express.static(packageDir('swagger-ui-dist'), STATIC_OPTIONS));
  app.get('/api/redoc/', (_req, res) => {
    res.type('html').send(REDOC_HTML);
  });
  app.use(
    '/api/redoc/static',
    express.static(path.join(packageDir('redoc'), 'bundles'), STATIC_OPTIONS),
  );
}
