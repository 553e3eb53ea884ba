import { WriteGate } from './write-gate';

describe('WriteGate', () => {
  it('when writes are started together, then they run one at a time in call order', async () => {
    const gate = new WriteGate();
    const log: string[] = [];
    let inFlight = 0;
    let most = 0;
    const write = (name: string) =>
      gate.run(async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        log.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, 5));
        log.push(`end ${name}`);
        inFlight--;
        return name;
      });

    const results = await Promise.all([write('a'), write('b'), write('c')]);

    expect(results).toEqual(['a', 'b', 'c']);
    expect(most).toBe(1);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('when a write fails, then its caller gets the error and the next write still runs', async () => {
    const gate = new WriteGate();

    const failed = gate.run(() => Promise.reject(new Error('boom')));
    const next = gate.run(() => Promise.resolve('ok'));

    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ok');
  });
});
