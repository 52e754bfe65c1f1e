#!/usr/bin/env node
// `pnpm test:packaging` (the last step of `npm test`): the six published packages as a user gets them.
//
// 1. Changelogs: in a throwaway copy of the workspace's manifests and .changeset/, `changeset version`
//    must give every published package a new version and a CHANGELOG.md that `npm pack` would ship
//    (the real versions and changesets are never touched). `--changelogs-only` stops there
//    (`pnpm version-packages:dry-run`).
// 2. Tarballs: `pnpm pack` of each package (as `changeset publish` packs it, workspace: ranges
//    replaced), then the contents: LICENSE, README, repository/homepage/bugs, every `exports`, `main`,
//    `types` and `sideEffects` path present, no source map, no stale build output, no relative link of
//    a shipped Markdown file pointing outside the tarball.
// 3. A user's project: an empty temporary folder where npm installs the five tarballs (their run-time
//    dependencies come from the registry, `--prefer-offline`, so a warm npm cache needs no network),
//    then a sample is type-checked under `module: commonjs`, `nodenext` (ES module) and `bundler`, and
//    run both as CommonJS and as an ES module: a message flows from one WebSocket client to another
//    through a room, and `localConnectionIds` / `hasLocalConnections` imported by name are live.
//
// `--keep` leaves the temporary folder in place and prints it.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const PUBLISHED = [
  'arcade-core',
  'arcade-cache',
  'arcade-cache-memory',
  'arcade-cache-redis',
  'arcade-ws',
  'arcade-client',
];
const changelogsOnly = process.argv.includes('--changelogs-only');
const keep = process.argv.includes('--keep');
const started = Date.now();

function say(line) {
  process.stdout.write(`pack-test: ${line}\n`);
}

/** Runs a command; on failure throws with its output. Returns its stdout. */
function run(command, args, { cwd = root, timeoutMs = 120_000, env = process.env } = {}) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    const why = result.error ? result.error.message : `exit code ${result.status}`;
    throw new Error(`\`${command} ${args.join(' ')}\` in ${cwd} failed (${why}):\n${output}`);
  }
  return result.stdout;
}

const problems = [];
function check(condition, message) {
  if (!condition) problems.push(message);
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function listFiles(dir, base = dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory()
      ? listFiles(full, base)
      : [path.relative(base, full).split(path.sep).join('/')];
  });
}

// ---- 1. changelogs ------------------------------------------------------------------------------

function checkChangelogs(tmp) {
  const copy = path.join(tmp, 'changesets');
  // Every workspace package, as pnpm-workspace.yaml lists them (the root is copied whole below).
  const workspaceDirs = JSON.parse(run('pnpm', ['ls', '--recursive', '--depth=-1', '--json']))
    .map((project) => path.relative(root, project.path).split(path.sep).join('/'))
    .filter((dir) => dir !== '');
  for (const file of ['package.json', 'pnpm-workspace.yaml']) {
    fs.cpSync(path.join(root, file), path.join(copy, file));
  }
  fs.cpSync(path.join(root, '.changeset'), path.join(copy, '.changeset'), { recursive: true });
  for (const dir of workspaceDirs) {
    fs.cpSync(path.join(root, dir, 'package.json'), path.join(copy, dir, 'package.json'));
  }
  const pending = fs
    .readdirSync(path.join(copy, '.changeset'))
    .filter((f) => f.endsWith('.md') && f !== 'README.md');
  const cli = require.resolve('@changesets/cli/bin.js', { paths: [root] });
  run(process.execPath, [cli, 'version'], { cwd: copy });

  const planned = [];
  for (const dir of PUBLISHED) {
    const before = readJson(path.join(root, 'packages', dir, 'package.json'));
    const after = readJson(path.join(copy, 'packages', dir, 'package.json'));
    const changelog = path.join(copy, 'packages', dir, 'CHANGELOG.md');
    planned.push(`${after.name} ${before.version} -> ${after.version}`);
    if (!pending.length) continue;
    check(
      after.version !== before.version,
      `${after.name}: \`changeset version\` left the version at ${before.version}`,
    );
    // A major release must be asked for by a changeset, never come from a neighbour's bump (changesets
    // bumps peer dependents to a major by default: .changeset/config.json says only when out of range).
    const askedMajor = pending.some((file) =>
      new RegExp(`"${after.name}":\\s*major`).test(
        fs.readFileSync(path.join(root, '.changeset', file), 'utf8'),
      ),
    );
    check(
      askedMajor || after.version.split('.')[0] === before.version.split('.')[0],
      `${after.name}: \`changeset version\` would release ${after.version}, a major no changeset asks for`,
    );
    check(
      fs.existsSync(changelog) && fs.readFileSync(changelog, 'utf8').includes(`## ${after.version}`),
      `${after.name}: \`changeset version\` wrote no CHANGELOG.md section for ${after.version}`,
    );
    const packed = JSON.parse(
      run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: path.dirname(changelog) }),
    );
    check(
      packed[0].files.some((file) => file.path === 'CHANGELOG.md'),
      `${after.name}: the CHANGELOG.md that \`changeset version\` writes is not in its tarball (package.json "files")`,
    );
  }
  for (const dir of workspaceDirs) {
    const manifest = readJson(path.join(root, dir, 'package.json'));
    if (!manifest.private) continue;
    const after = readJson(path.join(copy, dir, 'package.json'));
    check(
      after.version === manifest.version,
      `${manifest.name} is private but \`changeset version\` bumped it`,
    );
  }
  say(`${pending.length} pending changesets; \`changeset version\` would release: ${planned.join(', ')}`);
}

// ---- 2. tarballs ----------------------------------------------------------------------------------

/** Every string of an `exports` value (conditions nested at any depth). */
function exportTargets(value) {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(exportTargets);
  return [];
}

/** Relative link targets of a Markdown file: inline links and images, and reference definitions. */
function relativeLinks(markdown) {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  const targets = [
    ...[...withoutCode.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
    ...[...withoutCode.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/gm)].map((m) => m[1]),
  ];
  return targets.filter((target) => !/^([a-z][a-z0-9+.-]*:|#|\/\/)/i.test(target));
}

function inspectTarball(dir, tarball, extracted) {
  fs.mkdirSync(extracted, { recursive: true });
  run('tar', ['-xzf', tarball, '-C', extracted]);
  const pkg = path.join(extracted, 'package');
  const files = listFiles(pkg);
  const has = (file) => files.includes(file.replace(/^\.\//, ''));
  const manifest = readJson(path.join(pkg, 'package.json'));
  const name = manifest.name;

  check(
    has('LICENSE') && /MIT License/.test(fs.readFileSync(path.join(pkg, 'LICENSE'), 'utf8')),
    `${name}: no MIT LICENSE file`,
  );
  check(manifest.license === 'MIT', `${name}: license is not MIT`);
  check(has('README.md'), `${name}: no README.md`);
  check(
    manifest.repository?.url && manifest.repository.directory === `packages/${dir}`,
    `${name}: no repository with directory`,
  );
  check(Boolean(manifest.homepage), `${name}: no homepage`);
  check(Boolean(manifest.bugs?.url), `${name}: no bugs url`);
  check(
    !files.some((file) => file.endsWith('.map')),
    `${name}: ships source maps (their sources are not shipped)`,
  );
  check(!files.some((file) => /^(src|test)\//.test(file)), `${name}: ships src/ or test/`);
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [dependency, range] of Object.entries(manifest[field] ?? {})) {
      check(!String(range).startsWith('workspace:'), `${name}: ${field}.${dependency} is still ${range}`);
    }
  }
  const paths = [
    manifest.main,
    manifest.types,
    ...exportTargets(manifest.exports),
    ...(Array.isArray(manifest.sideEffects) ? manifest.sideEffects : []),
    ...Object.values(manifest.typesVersions ?? {}).flatMap((map) => Object.values(map).flat()),
  ].filter(Boolean);
  for (const target of paths) {
    // A subpath pattern (`./browser/*` -> `./dist/esm/*`) names every file below its prefix: one must exist.
    const [prefix, suffix] = target.replace(/^\.\//, '').split('*');
    const found =
      suffix === undefined
        ? has(target)
        : files.some((f) => f.startsWith(prefix) && f.endsWith(suffix) && f.length > prefix.length);
    check(found, `${name}: ${target} (named in package.json) is not in the tarball`);
  }
  // Build output whose source is gone (a renamed module) would be published too.
  for (const file of files.filter((f) => f.startsWith('dist/') && f.endsWith('.js'))) {
    // dist/esm/ is a second build of the same sources, as ES modules (@arcade/client's, for browsers).
    const built = file.slice('dist/'.length).replace(/^esm\//, '');
    const source = path.join(root, 'packages', dir, 'src', built.replace(/\.js$/, '.ts'));
    check(fs.existsSync(source), `${name}: ${file} has no source in src/ (stale build output)`);
  }
  for (const markdown of files.filter((f) => f.endsWith('.md'))) {
    for (const link of relativeLinks(fs.readFileSync(path.join(pkg, markdown), 'utf8'))) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(markdown), link.split('#')[0]));
      const inside =
        !target.startsWith('..') && (has(target) || files.some((f) => f.startsWith(`${target}/`)));
      check(
        inside || link.startsWith('#'),
        `${name}: ${markdown} links to ${link}, which is not in the tarball`,
      );
    }
  }
  return files;
}

function packAll(tmp) {
  const dest = path.join(tmp, 'tarballs');
  fs.mkdirSync(dest, { recursive: true });
  const tarballs = {};
  for (const dir of PUBLISHED) {
    const before = new Set(fs.readdirSync(dest));
    run('pnpm', ['pack', '--pack-destination', dest], { cwd: path.join(root, 'packages', dir) });
    const created = fs.readdirSync(dest).filter((file) => !before.has(file));
    if (created.length !== 1) throw new Error(`pnpm pack in packages/${dir} made ${created.length} files`);
    tarballs[dir] = path.join(dest, created[0]);
    const files = inspectTarball(dir, tarballs[dir], path.join(tmp, 'extracted', dir));
    say(`packed ${path.basename(tarballs[dir])} (${files.length} files)`);
  }
  return tarballs;
}

// ---- 3. a user's project --------------------------------------------------------------------------

/** The sample: one body for every module setting; `esm` adds the checks only an ES module can make. */
function sample({ esm }) {
  return `import type { CacheManager } from '@arcade/cache';
import { createClient } from '@arcade/client';
import { runCacheConformanceSuite } from '@arcade/cache/testing';
import { MemoryCacheManager } from '@arcade/cache-memory';
import { RedisCacheManager } from '@arcade/cache-redis';
import { BadRequestException } from '@arcade/core';
import * as arcadeWs from '@arcade/ws';
import {
  emitToRoom,
  hasLocalConnections,
  initializeWebSocketStorage,
  joinRoom,
  localConnectionIds,
  route,
  runServer,
} from '@arcade/ws';
import type { EventsMap } from '@arcade/ws/protocol';
import WebSocket from 'ws';
${esm ? "import { createRequire } from 'node:module';\nimport arcadeDefault from '@arcade/ws';\n" : ''}
/** A typed events route and its client: the events map, written once for both. */
interface Counter extends EventsMap {
  toServer: { add: (n: number) => number; reset: undefined };
  toClient: { total: { value: number } };
}

function fail(message: string): never {
  throw new Error(message);
}

function opened(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('message', () => resolve(socket)); // 'joined': the connection is in the room
    socket.once('error', reject);
  });
}

function nextMessage(socket: WebSocket): Promise<string> {
  return new Promise((resolve) => socket.once('message', (data) => resolve(String(data))));
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) fail(\`timed out waiting for \${what}\`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function main(): Promise<void> {
  if (typeof RedisCacheManager !== 'function' || typeof runCacheConformanceSuite !== 'function') {
    fail('the adapters did not load');
  }
  if (!(new BadRequestException({ message: 'bad' }) instanceof Error)) fail('@arcade/core did not load');
  const ids: readonly string[] = localConnectionIds;
  const any: boolean = hasLocalConnections;
  if (ids.length !== 0 || any) fail('connections before the server started');

  const cache: CacheManager = new MemoryCacheManager();
  await initializeWebSocketStorage(cache);
  const server = await runServer({
    port: 0,
    handleSignals: false,
    init: () => {
      route.get('/chat').handleWebSocket(
        (_ctx, websocket, id) => {
          websocket.listen(async (data) => {
            if (typeof data === 'string') await emitToRoom('lobby', \`\${id}: \${data}\`, { exclude: id });
          });
        },
        {
          onConnect: async (_ctx, websocket, id) => {
            await joinRoom(id, 'lobby');
            websocket.add('joined');
          },
        },
      );
      let total = 0;
      route.get('/counter').handleEvents<Counter>({
        events: {
          add: (n, socket) => {
            total += n;
            socket.emit('total', { value: total });
            return total;
          },
          reset: () => {
            total = 0;
          },
        },
      });
    },
  });
  const counter = createClient<Counter>(\`ws://127.0.0.1:\${server.port}/counter\`, { WebSocket });
  const pushed = new Promise<number>((resolve) => counter.on('total', (data) => resolve(data.value)));
  const sum: number = await counter.request('add', 41);
  if (sum !== 41 || (await pushed) !== 41) fail(\`typed request answered \${sum}\`);
  if (counter.send('reset') !== 'sent') fail('an event without payload was not sent');
  await counter.close();

  const url = \`ws://127.0.0.1:\${server.port}/chat\`;
  const alice = await opened(url);
  const bob = await opened(url);

  const live = () => \`localConnectionIds \${JSON.stringify(localConnectionIds)}, hasLocalConnections \${hasLocalConnections}\`;
  if (localConnectionIds.length !== 2 || hasLocalConnections !== true) fail(\`not live with 2 open: \${live()}\`);
  if (localConnectionIds !== arcadeWs.localConnectionIds) fail('the named import and the namespace disagree');
${
  esm
    ? `  if (createRequire(import.meta.url)('@arcade/ws') !== arcadeDefault) fail('two copies of @arcade/ws (import and require)');
`
    : ''
}
  const received = nextMessage(bob);
  alice.send('hello');
  const message = await received;
  if (!message.endsWith(': hello')) fail(\`bob received \${message}\`);

  alice.close();
  bob.close();
  await waitFor(() => localConnectionIds.length === 0 && !hasLocalConnections, \`both closed (\${live()})\`);
  await server.close();
  process.stdout.write(\`message flowed: \${message}\\n\`);
}

main().catch((error: unknown) => {
  process.stderr.write(\`\${error instanceof Error ? (error.stack ?? error.message) : String(error)}\\n\`);
  process.exit(1);
});
`;
}

function tsconfig(compilerOptions, include) {
  const base = {
    target: 'ES2022',
    lib: ['ES2022'],
    types: ['node'],
    strict: true,
    esModuleInterop: true,
    skipLibCheck: false,
  };
  return `${JSON.stringify({ compilerOptions: { ...base, ...compilerOptions }, include }, null, 2)}\n`;
}

function userProject(tmp, tarballs) {
  const app = path.join(tmp, 'app');
  fs.mkdirSync(app, { recursive: true });
  fs.writeFileSync(
    path.join(app, 'package.json'),
    `${JSON.stringify({ name: 'arcade-pack-test', version: '0.0.0', private: true }, null, 2)}\n`,
  );
  const ws = readJson(path.join(root, 'packages/arcade-ws/package.json')).dependencies;
  const nodeTypes = readJson(path.join(root, 'package.json')).devDependencies['@types/node'];
  // A TypeScript project needs @types/node next to @arcade/core, whose types use node:http.
  const installStarted = Date.now();
  run(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--loglevel=error',
      ...PUBLISHED.map((dir) => tarballs[dir]),
      `@types/node@${nodeTypes}`,
      `ws@${ws.ws}`,
      `@types/ws@${ws['@types/ws']}`,
    ],
    { cwd: app, timeoutMs: 300_000 },
  );
  say(`npm installed the tarballs in ${((Date.now() - installStarted) / 1000).toFixed(1)} s`);

  for (const [folder, file, esm] of [
    ['cjs', 'sample.ts', false],
    ['esm', 'sample.mts', true],
    ['bundler', 'sample.ts', true],
  ]) {
    fs.mkdirSync(path.join(app, folder));
    fs.writeFileSync(path.join(app, folder, file), sample({ esm }));
  }
  const configs = {
    'tsconfig.cjs.json': tsconfig({ module: 'commonjs', moduleResolution: 'node10', outDir: 'out/cjs' }, [
      'cjs',
      'redis-errors.d.ts',
    ]),
    'tsconfig.esm.json': tsconfig({ module: 'nodenext', moduleResolution: 'nodenext', outDir: 'out/esm' }, [
      'esm',
      'redis-errors.d.ts',
    ]),
    'tsconfig.bundler.json': tsconfig({ module: 'preserve', moduleResolution: 'bundler', noEmit: true }, [
      'bundler',
      'redis-errors.d.ts',
    ]),
  };
  // skipLibCheck is off so that the packages' declarations are checked too; ioredis's own declarations
  // import the untyped 'redis-errors', which only this shim lets through.
  fs.writeFileSync(path.join(app, 'redis-errors.d.ts'), "declare module 'redis-errors';\n");
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  for (const [name, content] of Object.entries(configs)) {
    fs.writeFileSync(path.join(app, name), content);
    run(process.execPath, [tsc, '-p', name], { cwd: app });
    say(`type-checked the sample with ${name}`);
  }
  for (const entry of ['out/cjs/sample.js', 'out/esm/sample.mjs']) {
    const output = run(process.execPath, [entry], { cwd: app, timeoutMs: 30_000 });
    const flowed = output.split('\n').find((line) => line.startsWith('message flowed: '));
    check(Boolean(flowed), `${entry}: no message flowed:\n${output}`);
    say(`ran ${entry}: ${flowed ?? 'nothing'}`);
  }
}

// ---- main -----------------------------------------------------------------------------------------

function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'arcade-pack-test-'));
  try {
    checkChangelogs(tmp);
    if (!changelogsOnly) {
      run(path.join(root, 'node_modules/.bin/turbo'), [
        'run',
        'build',
        '--filter=./packages/arcade-*',
        '--output-logs=errors-only',
      ]);
      const tarballs = packAll(tmp);
      if (problems.length === 0) userProject(tmp, tarballs);
    }
  } finally {
    if (keep) say(`kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (problems.length > 0) {
    console.error(`pack-test: ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exit(1);
  }
  say(`passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

try {
  main();
} catch (error) {
  console.error(`pack-test: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
