// How a bench script runs and ends: `cleanup` (stop the run's processes, remove what it
// created) runs once however the run ends, then the run's folders are removed; exit 0
// after the report, 1 after a failure, 2 past the time limit: a bench never waits forever
// nor leaves processes behind.
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, relative } from 'node:path';

const dirs: string[] = [];

/** A folder of the run (in `parent`, the system's temporary one by default), removed at its end. */
export async function runDir(prefix: string, parent = tmpdir()): Promise<string> {
  const dir = await mkdtemp(join(parent, prefix));
  dirs.push(dir);
  return dir;
}

export function runBench(
  main: () => Promise<void>,
  options: {
    cleanup: () => Promise<void>;
    /** The whole run stops by itself past this. */
    limitMs?: number;
    /** Called first when the run stops early, failed or past its limit (abort open requests). */
    onAbort?: () => void;
  },
): void {
  let cleaned: Promise<void> | undefined;
  const end = (code: number) => {
    cleaned ??= options
      .cleanup()
      .catch((error: unknown) => console.error(error))
      .then(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))
      .then(() => undefined);
    void cleaned.finally(() => process.exit(code));
  };
  const limit =
    options.limitMs === undefined
      ? undefined
      : setTimeout(() => {
          console.error(`run limit (${(options.limitMs ?? 0) / 60_000} min) reached: stopping`);
          options.onAbort?.();
          end(2);
        }, options.limitMs);
  main().then(
    () => {
      clearTimeout(limit);
      end(0);
    },
    (error: unknown) => {
      console.error(error);
      options.onAbort?.();
      end(1);
    },
  );
}

/** The machine a report was measured on, and how busy it was (load average) just then. */
export function machine(): string {
  const cores = cpus();
  return (
    `${cores.length} cores (${cores[0]?.model.trim() ?? 'unknown'}), ` +
    `${(totalmem() / 1024 ** 3).toFixed(1)} GB RAM, Linux ${release()}, node ${process.version}, ` +
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`
  );
}

/** A report's first lines: the command that produced it, the date, the machine. */
export function printHeader(): void {
  const script = relative(process.cwd(), process.argv[1] ?? '');
  console.log(
    `command: node ${process.execArgv.join(' ')} ${script} ${process.argv.slice(2).join(' ')}`.trim(),
  );
  console.log(`date: ${new Date().toISOString()}`);
  console.log(`machine: ${machine()}`);
}
