import { startArcade } from './arcade-server';
import { serveUnderRunner } from './serve';

/** The `arcade*` targets: one server (src/targets/arcade-server.ts), switched by the environment. */
serveUnderRunner(() => startArcade(process.env));
