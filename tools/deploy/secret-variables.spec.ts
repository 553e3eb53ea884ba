import type { z } from 'zod';
import { SECRET_VARIABLES } from '@toolkit/logger';
import { analyticsConfigSchema } from '../../apps/analytics/src/config';
import { catalogConfigSchema } from '../../apps/catalog/src/config';
import { executorConfigSchema } from '../../apps/executor/src/config';
import { gatewayConfigSchema } from '../../apps/gateway/src/config';

const SCHEMAS: z.ZodObject[] = [
  gatewayConfigSchema,
  catalogConfigSchema,
  executorConfigSchema,
  analyticsConfigSchema,
];

describe('secret configuration variables', () => {
  it('when a service reads a variable whose name looks secret, then the logger redacts it', () => {
    const variables = new Set(SCHEMAS.flatMap((schema) => Object.keys(schema.shape)));
    const secretLooking = [...variables].filter((name) =>
      /PASSWORD|TOKEN|SECRET|_KEYS$|_URI$/.test(name),
    );

    expect(secretLooking.length).toBeGreaterThanOrEqual(10);
    expect([...SECRET_VARIABLES].filter((name) => !variables.has(name))).toEqual([]);
    expect(
      secretLooking.filter((name) => !(SECRET_VARIABLES as readonly string[]).includes(name)),
    ).toEqual([]);
  });
});
