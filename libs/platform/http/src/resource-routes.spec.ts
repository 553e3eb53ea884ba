import { Router } from 'express';
import request from 'supertest';
import { createLogger } from '@toolkit/logger';
import { createRegistry } from '@toolkit/metrics';
import { createHttpApp } from './http-app';
import { mountResourceRoutes } from './resource-routes';
import type { ResourceRoutes } from './resource-routes';

function app(resource: Omit<ResourceRoutes<string>, 'path' | 'context'>) {
  const calls: unknown[] = [];
  const express = createHttpApp({
    logger: createLogger({ service: 'resource-routes-spec', level: 'silent' }),
    registry: createRegistry('resource-routes-spec'),
    readiness: [],
    bodyLimitBytes: 64 * 1024,
    mount: (target) => {
      const router = Router();
      target.use(router);
      mountResourceRoutes<string>(router, {
        path: '/api/things/',
        context: (_req, _res, action) => action,
        ...resource,
      });
      router.get('/api/things/special/', (_req, res) => void res.json({ special: true }));
    },
  });
  return { express, calls };
}

const full: Omit<ResourceRoutes<string>, 'path' | 'context'> = {
  metadata: (action, url) => ({ name: url === 'object' ? 'Thing' : 'Thing List', action }),
  list: async (action) => ({ count: 0, action }),
  get: async (action, id) => ({ id, action }),
  create: async (action, items) => items.map((item) => ({ ...(item as object), action })),
  update: async (action, items, options) => items.map((i) => ({ ...i, action, ...options })),
  delete: async () => undefined,
};

describe('mountResourceRoutes', () => {
  it('when a resource offers every operation, then each NetBox route answers with its action and status', async () => {
    const { express } = app(full);
    const agent = request(express);

    const answers = await Promise.all([
      agent.get('/api/things/'),
      agent.get('/api/things/7/'),
      agent.post('/api/things/').send({ name: 'a' }),
      agent.post('/api/things/').send([{ name: 'a' }, { name: 'b' }]),
      agent.put('/api/things/7/').send({ name: 'x' }),
      agent.patch('/api/things/7/').send({ name: 'x' }),
      agent.put('/api/things/').send([{ id: 7, name: 'x' }]),
      agent.delete('/api/things/7/'),
      agent.delete('/api/things/').send([{ id: 7 }]),
      agent.options('/api/things/'),
      agent.get('/api/things/special/'),
    ]);

    expect(answers.map((a) => [a.status, a.body])).toEqual([
      [200, { count: 0, action: 'view' }],
      [200, { id: 7, action: 'view' }],
      [201, { name: 'a', action: 'add' }],
      [
        201,
        [
          { name: 'a', action: 'add' },
          { name: 'b', action: 'add' },
        ],
      ],
      [200, { id: 7, body: { name: 'x' }, action: 'change', partial: false, bulk: false }],
      [200, { id: 7, body: { name: 'x' }, action: 'change', partial: true, bulk: false }],
      [200, [{ id: 7, body: { name: 'x' }, action: 'change', partial: true, bulk: true }]],
      [204, {}],
      [204, {}],
      [200, { name: 'Thing List', action: 'view' }],
      [200, { special: true }],
    ]);
    expect(answers[9]?.headers['allow']).toBe('GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS');
  });

  it('when a resource offers only some operations, then only those are routed and Allow says so', async () => {
    const { express } = app({ metadata: full.metadata, list: full.list, delete: full.delete });
    const agent = request(express);

    const [post, get, options] = await Promise.all([
      agent.post('/api/things/').send({ name: 'a' }),
      agent.get('/api/things/7/'),
      agent.options('/api/things/7/'),
    ]);

    expect([post.status, get.status]).toEqual([404, 404]);
    expect(options.headers['allow']).toBe('DELETE, OPTIONS');
  });

  it.each(['0', '00', '9007199254740993', '12345678901234567890'])(
    'when the detail id is %s, then every method answers a NetBox 404 (never a 500)',
    async (id) => {
      // Arrange
      const agent = request(app(full).express);

      // Act
      const answers = await Promise.all([
        agent.get(`/api/things/${id}/`),
        agent.patch(`/api/things/${id}/`).send({ name: 'x' }),
        agent.delete(`/api/things/${id}/`),
      ]);

      // Assert
      expect(answers.map((a) => [a.status, a.body])).toEqual([
        [404, { detail: 'Not found.' }],
        [404, { detail: 'Not found.' }],
        [404, { detail: 'Not found.' }],
      ]);
    },
  );
});
