import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '@toolkit/errors';
import { eventually, memoryLogger } from '@toolkit/testing';
import type { ResealOutcome } from '@toolkit/catalog-domain';
import { credentialReseal } from './credential-reseal';

/** The use case's answers in turn: an Error is thrown, an outcome returned. */
function scripted(answers: (ResealOutcome | Error)[]) {
  let runs = 0;
  return {
    runs: () => runs,
    run: async () => {
      const answer = answers[Math.min(runs++, answers.length - 1)] as ResealOutcome | Error;
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

describe('credential re-sealing at boot', () => {
  it('when a run fails or leaves sets behind, then it is tried again until a run leaves none, and then no more', async () => {
    const { logger, lines } = memoryLogger();
    const reseal = scripted([
      AppError.unavailable('MongoDB'),
      { resealed: 3, left: 1, unreadable: [] },
      { resealed: 1, left: 0, unreadable: [9] },
    ]);
    const job = credentialReseal({ reseal, logger, currentKey: 'c2' }, { intervalMs: 10 });

    job.start();
    await eventually(async () => {
      if (reseal.runs() < 3) throw new Error(`${reseal.runs()} runs`);
    });
    await sleep(60);
    await job.stop();

    expect(reseal.runs()).toBe(3);
    const logged = lines().map((l) => [l['level'], l['msg'], l['left'] ?? l['ids'] ?? null]);
    expect(logged).toEqual([
      ['error', 'credential re-sealing failed: tried again', null],
      ['info', 'credential sets re-sealed under the current key, some left: tried again', 1],
      ['info', 'credential sets re-sealed under the current key', 0],
      [
        'warn',
        'credential sets no configured CREDENTIAL_KEYS key opens: keep their key, or set their password again',
        [9],
      ],
    ]);
  });

  it('when it is stopped before a run succeeds, then it tries no more', async () => {
    const { logger } = memoryLogger();
    const reseal = scripted([AppError.unavailable('MongoDB')]);
    const job = credentialReseal({ reseal, logger, currentKey: 'c2' }, { intervalMs: 10 });

    job.start();
    await eventually(async () => {
      if (reseal.runs() < 2) throw new Error(`${reseal.runs()} runs`);
    });
    await job.stop();
    const stoppedAt = reseal.runs();
    await sleep(60);

    expect(reseal.runs()).toBe(stoppedAt);
  });
});
