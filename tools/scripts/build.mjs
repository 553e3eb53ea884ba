// Bundles each service into dist/apps/<name>/main.js with esbuild: our libraries
// (@toolkit/*, resolved through tsconfig paths) are bundled, npm dependencies stay
// external and are installed from package-lock.json in the image.
//   node tools/scripts/build.mjs            all apps
//   node tools/scripts/build.mjs gateway    one app
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const external = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.devDependencies ?? {}),
];
const all = ['gateway', 'catalog', 'executor', 'analytics', 'simulator'];
const apps = process.argv.slice(2).length > 0 ? process.argv.slice(2) : all;

const started = Date.now();
for (const app of apps) {
  const entry = path.join(root, 'apps', app, 'src/main.ts');
  if (!existsSync(entry)) {
    console.error(`[build] skipping ${app}: no ${path.relative(root, entry)}`);
    continue;
  }
  const { outputFiles } = await build({
    entryPoints: [entry],
    outfile: path.join(root, 'dist/apps', app, 'main.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    tsconfig: path.join(root, 'tsconfig.base.json'),
    external,
    logLevel: 'warning',
    write: false,
  });
  // Each file replaced whole (written aside, then renamed): a process started from the
  // bundle meanwhile (tests build while others run) reads the old one or the new one.
  for (const file of outputFiles) {
    mkdirSync(path.dirname(file.path), { recursive: true });
    const aside = `${file.path}.${process.pid}.tmp`;
    writeFileSync(aside, file.contents);
    renameSync(aside, file.path);
  }
}
console.error(`[build] ${apps.join(', ')} in ${Date.now() - started} ms`);
