import Fastify from 'fastify';
import { JSON_BODY, JSON_PATH } from './http-routes';
import { serveUnderRunner } from './serve';

/** Fastify 5, logger off, the two bench routes. */
serveUnderRunner(async () => {
  const app = Fastify({ logger: false });
  app.get(JSON_PATH, async () => JSON_BODY);
  app.get<{ Params: { id: string } }>('/users/:id', async (request) => ({ id: request.params.id }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    close: () => app.close(),
  };
});
