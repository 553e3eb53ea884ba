import type { ResealCredentialSets, ResealOutcome } from '@toolkit/catalog-domain';
import { PeriodicJob } from '@toolkit/lifecycle';
import type { Logger } from '@toolkit/logger';

/**
 * Step 2 of a CREDENTIAL_KEYS rotation (CREDENTIAL_RESEAL_AT_BOOT): every set still under
 * an older key re-sealed under the current one, at boot and then every `intervalMs` until a
 * run leaves nothing it could re-seal. A run that failed (MongoDB unreachable while the
 * catalog boots) or left sets another writer kept changing is tried again, so the rotation
 * does not wait for the next restart. Sets no configured key opens are reported each run:
 * trying again cannot open them. The old key can go once a run logs `left` and
 * `unreadable` 0 with every replica on the new ring.
 */
export function credentialReseal(
  deps: { reseal: Pick<ResealCredentialSets, 'run'>; logger: Logger; currentKey: string },
  options: { intervalMs: number },
): { start(): void; runOnce(): Promise<ResealOutcome | undefined>; stop(): Promise<void> } {
  const { logger } = deps;
  let done = false;
  const onError = (error: unknown) =>
    logger.error(
      { err: error, retryInMs: options.intervalMs },
      'credential re-sealing failed: tried again',
    );
  const job: PeriodicJob<ResealOutcome | undefined> = new PeriodicJob(
    async () => {
      if (done) return undefined;
      const outcome = await deps.reseal.run();
      const { resealed, left, unreadable } = outcome;
      logger.info(
        { resealed, left, unreadable: unreadable.length, key: deps.currentKey },
        left > 0
          ? 'credential sets re-sealed under the current key, some left: tried again'
          : 'credential sets re-sealed under the current key',
      );
      if (unreadable.length > 0)
        logger.warn(
          { ids: unreadable },
          'credential sets no configured CREDENTIAL_KEYS key opens: keep their key, or set their password again',
        );
      if (left === 0) {
        done = true;
        // Not awaited: this run is the one stop() would wait for.
        void job.stop();
      }
      return outcome;
    },
    { intervalMs: options.intervalMs, onError },
  );
  return {
    start: () => {
      job.start();
      job.runOnce().catch(onError);
    },
    runOnce: () => job.runOnce(),
    stop: () => job.stop(),
  };
}
