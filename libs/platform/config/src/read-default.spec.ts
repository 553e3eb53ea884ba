import { z } from 'zod';
import { envBoolean, envInt } from './env-types';
import { loadConfig } from './load-config';
import { readDefault } from './read-default';

const schema = z
  .object({
    DELAY_MS: envInt({ min: 0, max: 10_000, default: 1_000 }),
    ENABLED: envBoolean(true),
    NAME: z.string().min(1),
  })
  .refine((c) => c.DELAY_MS >= 0);

describe('readDefault', () => {
  it('when a setting has a default, then it is what loading an unset variable gives', () => {
    // Arrange
    const loaded = loadConfig(schema, { NAME: 'x' });

    // Act
    const defaults = [readDefault(schema, 'DELAY_MS'), readDefault(schema, 'ENABLED')];

    // Assert
    expect(defaults).toEqual([loaded.DELAY_MS, loaded.ENABLED]);
    expect(defaults).toEqual([1_000, true]);
  });

  it('when a setting has no default, then it throws', () => {
    expect(() => readDefault(schema, 'NAME')).toThrow();
  });
});
