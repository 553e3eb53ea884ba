import { memoryLogger } from '@toolkit/testing';
import { Lifecycle } from './lifecycle';

describe('Lifecycle', () => {
  it('when shutting down, then closers run once, in registration order, and the process exits 0', async () => {
    const { logger, lines } = memoryLogger();
    const exit = jest.fn();
    const lifecycle = new Lifecycle({ logger, deadlineMs: 5_000, exit });
    const order: string[] = [];
    lifecycle.onShutdown('http', () => void order.push('http'));
    lifecycle.onShutdown('kafka', async () => void order.push('kafka'));
    lifecycle.onShutdown('mongo', () => void order.push('mongo'));

    await Promise.all([lifecycle.shutdown('SIGTERM'), lifecycle.shutdown('SIGINT')]);

    expect(order).toEqual(['http', 'kafka', 'mongo']);
    expect(exit).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(0);
    expect(
      lines()
        .filter((l) => l['msg'] === 'closed')
        .map((l) => l['closer']),
    ).toEqual(['http', 'kafka', 'mongo']);
  });

  it('when a closer fails, then the others still run and the exit code is 1', async () => {
    const { logger } = memoryLogger();
    const exit = jest.fn();
    const lifecycle = new Lifecycle({ logger, deadlineMs: 5_000, exit });
    const ran: string[] = [];
    lifecycle.onShutdown('broken', () => {
      throw new Error('boom');
    });
    lifecycle.onShutdown('after', () => void ran.push('after'));

    await lifecycle.shutdown('SIGTERM');

    expect(ran).toEqual(['after']);
    expect(exit).toHaveBeenCalledWith(1);
  });

  it('when a closer hangs past the deadline, then the process exits 1', async () => {
    jest.useFakeTimers();
    try {
      const { logger } = memoryLogger();
      const exit = jest.fn();
      const lifecycle = new Lifecycle({ logger, deadlineMs: 1_000, exit });
      lifecycle.onShutdown('stuck', () => new Promise<void>(() => undefined));

      void lifecycle.shutdown('SIGTERM');
      await jest.advanceTimersByTimeAsync(1_001);

      expect(exit).toHaveBeenCalledWith(1);
      expect(lifecycle.shuttingDown).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});
