// What a throughput run measures: executors bundled from bench/executor-process.ts with
// tools/scripts/build.mjs's esbuild options and run with plain node, as production runs
// them. The working tree always; `--before <ref>` the same entry from a `git archive` of
// <ref> (before/after figures from the same machine and minute); `--pipeline-only` the
// working tree with SSH replaced by an in-process stub; each `--env 'K=V ...'` the working
// tree with extra environment.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, symlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { argValue, argValues, flag, parseEnvList } from './shared-bench';

export interface Variant {
  name: string;
  bundle: string;
  env?: Record<string, string>;
}

/** Bundles bench/executor-process.ts from `root` (a checkout) with build.mjs's options. */
async function bundle(root: string, outDir: string): Promise<string> {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const outfile = join(outDir, 'executor-process.js');
  await build({
    entryPoints: [join(root, 'apps/executor/bench/executor-process.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    tsconfig: join(root, 'tsconfig.base.json'),
    external: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})],
    logLevel: 'warning',
  });
  return outfile;
}

/** A checkout of `ref` with today's bench entry, bundled (for before/after in one run). */
async function bundleRef(ref: string, workDir: string): Promise<string> {
  const root = join(workDir, 'src');
  await mkdir(root, { recursive: true });
  await promisify(execFile)('sh', ['-c', `git archive ${ref} | tar -x -C ${root}`]);
  await symlink(resolve('node_modules'), join(root, 'node_modules'));
  for (const f of ['executor-process.ts', 'bench-topics.ts'])
    await copyFile(join('apps/executor/bench', f), join(root, 'apps/executor/bench', f));
  return bundle(root, join(workDir, 'out'));
}

/** The variants the command line asks for, bundled into `work`. */
export async function variantsFromArgs(work: string): Promise<Variant[]> {
  const variants: Variant[] = [];
  const beforeRef = argValue('--before');
  if (beforeRef)
    variants.push({
      name: `before (${beforeRef})`,
      bundle: await bundleRef(beforeRef, join(work, 'before')),
    });
  const after = await bundle(resolve('.'), join(work, 'after'));
  variants.push({ name: 'after (working tree)', bundle: after });
  // The same bundle once more with SSH replaced by an in-process stub (executor-process.ts):
  // what Kafka, validation, the envelope and results cost alone.
  if (flag('--pipeline-only'))
    variants.push({
      name: 'pipeline only (no SSH)',
      bundle: after,
      env: { BENCH_PIPELINE_ONLY: '1' },
    });
  // Extra environment (e.g. NODE_OPTIONS, or NODE_FLAGS: node options NODE_OPTIONS refuses).
  for (const extra of argValues('--env'))
    variants.push({ name: `after + ${extra}`, bundle: after, env: parseEnvList(extra) });
  return variants;
}
