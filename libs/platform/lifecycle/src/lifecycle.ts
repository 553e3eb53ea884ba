import type { Logger } from '@toolkit/logger';

export type Closer = () => Promise<void> | void;

export interface LifecycleOptions {
  logger: Logger;
  /** Must be shorter than the Kubernetes termination grace period. */
  deadlineMs: number;
  exit?: (code: number) => void;
}

/**
 * Ordered, deadline-bound shutdown. Closers run in the order they were registered (register
 * them as the service is built: readiness, HTTP, consumers, producer, breakers, SSH,
 * database, logger) and each runs once. Past the deadline the process exits 1.
 */
export class Lifecycle {
  private readonly closers: { name: string; close: Closer }[] = [];
  private shutdownPromise: Promise<void> | undefined;
  private readonly exit: (code: number) => void;

  constructor(private readonly options: LifecycleOptions) {
    this.exit = options.exit ?? ((code) => process.exit(code));
  }

  get shuttingDown(): boolean {
    return this.shutdownPromise !== undefined;
  }

  onShutdown(name: string, close: Closer): void {
    this.closers.push({ name, close });
  }

  installSignalHandlers(): void {
    process.once('SIGTERM', () => void this.shutdown('SIGTERM', 0));
    process.once('SIGINT', () => void this.shutdown('SIGINT', 0));
    process.on('uncaughtException', (error) => {
      this.options.logger.fatal({ err: error }, 'uncaught exception');
      void this.shutdown('uncaughtException', 1);
    });
    process.on('unhandledRejection', (reason) => {
      this.options.logger.fatal({ err: reason }, 'unhandled rejection');
      void this.shutdown('unhandledRejection', 1);
    });
  }

  /** Runs every closer once, in order; a second call returns the same promise. */
  shutdown(reason: string, code = 0): Promise<void> {
    this.shutdownPromise ??= this.run(reason, code);
    return this.shutdownPromise;
  }

  private async run(reason: string, code: number): Promise<void> {
    const { logger, deadlineMs } = this.options;
    logger.info({ reason, deadlineMs }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error({ deadlineMs }, 'shutdown deadline passed: exiting');
      this.exit(1);
    }, deadlineMs);
    deadline.unref();
    let exitCode = code;
    for (const { name, close } of this.closers) {
      const started = Date.now();
      try {
        await close();
        logger.info({ closer: name, ms: Date.now() - started }, 'closed');
      } catch (error) {
        exitCode = 1;
        logger.error({ err: error, closer: name, ms: Date.now() - started }, 'close failed');
      }
    }
    clearTimeout(deadline);
    logger.info({ exitCode }, 'shutdown complete');
    await flushLogger(logger);
    this.exit(exitCode);
  }
}

/** Asynchronous log destinations buffer: flush before exiting or the last lines are lost. */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    try {
      logger.flush(() => resolve());
    } catch {
      resolve();
    }
  });
}
