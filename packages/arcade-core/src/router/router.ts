import type { App } from '../app';
import type { AfterHook, BeforeHook, RouteHandler } from '../hooks';
import { RouteBuilder } from '../route-builder';
import type { RouteTable } from '../route-table';
import { type PatternSegment, parsePattern } from './trie';

/** Options of {@link Router.group}. */
export interface GroupOptions {
  /** Defines the group's routes on a router whose paths start with the prefix. */
  defineRoutes: (route: Router) => void;
  /**
   * Before hooks of every route of the group, after the global ones and before the route's own.
   * @default []
   */
  before?: BeforeHook[];
  /**
   * After hooks of every route of the group, after the global ones and before the route's own.
   * @default []
   */
  after?: AfterHook[];
}

interface Scope {
  readonly prefix: readonly PatternSegment[];
  readonly before: readonly BeforeHook[];
  readonly after: readonly AfterHook[];
}

function renderPattern(segments: readonly PatternSegment[]): string {
  const parts = segments.map((segment) =>
    segment.kind === 'static' ? segment.text : segment.kind === 'param' ? `:${segment.name}` : '*',
  );
  return `/${parts.join('/')}`;
}

/** Defines the routes of an app: `route.get('/users/:id').handle(...)`. */
export class Router {
  readonly #app: App;
  readonly #table: RouteTable;
  readonly #scope: Scope;

  /** @internal Use `app.route` (or the module-level `route`). */
  constructor(app: App, table: RouteTable, scope: Scope = { prefix: [], before: [], after: [] }) {
    this.#app = app;
    this.#table = table;
    this.#scope = scope;
  }

  /** A GET route (also answers HEAD, without the body, unless a HEAD route exists). */
  get(path: string): RouteBuilder {
    return this.#route('GET', path);
  }
  /** A POST route. */
  post(path: string): RouteBuilder {
    return this.#route('POST', path);
  }
  /** A PUT route. */
  put(path: string): RouteBuilder {
    return this.#route('PUT', path);
  }
  /** A PATCH route. */
  patch(path: string): RouteBuilder {
    return this.#route('PATCH', path);
  }
  /** A DELETE route. */
  delete(path: string): RouteBuilder {
    return this.#route('DELETE', path);
  }
  /** A HEAD route. */
  head(path: string): RouteBuilder {
    return this.#route('HEAD', path);
  }
  /** An OPTIONS route. */
  options(path: string): RouteBuilder {
    return this.#route('OPTIONS', path);
  }
  /** A route for every method that has no route of its own on this path (`route.method` is `'ANY'`). */
  any(path: string): RouteBuilder {
    return this.#route('ANY', path);
  }

  /** Routes sharing a path prefix and hooks; groups nest. */
  group(prefix: string, options: GroupOptions): void {
    const scope: Scope = {
      prefix: [...this.#scope.prefix, ...parsePattern(prefix)],
      before: [...this.#scope.before, ...(options.before ?? [])],
      after: [...this.#scope.after, ...(options.after ?? [])],
    };
    if (scope.prefix.some((segment) => segment.kind === 'wildcard')) {
      throw new Error(`Group prefix "${prefix}" cannot contain the wildcard "*"`);
    }
    options.defineRoutes(new Router(this.#app, this.#table, scope));
  }

  /**
   * The handler of requests no route (and no static file) matches; global hooks run around it.
   * Without one, Arcade answers 404 `{"error":{"statusCode":404,"message":"Not found"}}`.
   */
  notFound(handler: RouteHandler): void {
    this.#table.notFound = handler;
  }

  /** A before hook that runs first for every route of the app (and the notFound handler). */
  registerGlobalBeforeHook(hook: BeforeHook): void {
    this.#table.addGlobalBefore(hook);
  }

  /** An after hook that runs first for every route of the app (and the notFound handler). */
  registerGlobalAfterHook(hook: AfterHook): void {
    this.#table.addGlobalAfter(hook);
  }

  #route(method: string, path: string): RouteBuilder {
    const segments = [...this.#scope.prefix, ...parsePattern(path)];
    return new RouteBuilder(this.#app, {
      table: this.#table,
      method,
      pattern: renderPattern(segments),
      segments,
      groupBefore: this.#scope.before,
      groupAfter: this.#scope.after,
      before: [],
      bodyLimit: undefined,
    });
  }
}
