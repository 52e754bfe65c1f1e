// The dependency rules of the workspace, checked by `pnpm lint:deps` (part of `pnpm lint` and `npm test`);
// CONTRIBUTING.md ("Dependency rules") says how to read a failure.
// Why dependency-cruiser and not madge: madge only finds cycles, while dependency-cruiser also judges each
// import against rules (layers inside a package, which package may use which, `import type` or not) and
// names the broken rule with its reason.
//
// Workspace packages resolve to their sources through tsconfig.depcruise.json (`@arcade/x` ->
// packages/arcade-x/src/index.ts), so the check needs no build and sees the same graph on a fresh clone.

/** A workspace folder: packages/<name>, apps/<name>, bench or examples. `$1` in a `to` pattern is the `from` folder. */
const WORKSPACE = '^((?:packages|apps)/[^/]+|bench|examples)/';

// Which workspace packages each one may import at run time (`import type` is allowed across all of
// them): dependencies point one way, demo-chat -> ws -> core, ws -> cache, adapters -> cache.
// A package missing from this table may import none of ours at run time (like a browser client,
// which may only use our types) until it is added here.
const PACKAGE_DEPENDENCIES = {
  'packages/arcade-core': [],
  'packages/arcade-cache': [],
  'packages/arcade-cache-memory': ['packages/arcade-cache'],
  'packages/arcade-cache-redis': ['packages/arcade-cache'],
  'packages/arcade-ws': ['packages/arcade-core', 'packages/arcade-cache'],
  'apps/demo-chat': [
    'packages/arcade-client',
    'packages/arcade-ws',
    'packages/arcade-core',
    'packages/arcade-cache',
    'packages/arcade-cache-memory',
    'packages/arcade-cache-redis',
  ],
  // the guide's samples, as a user writes them: the published packages only
  examples: [
    'packages/arcade-ws',
    'packages/arcade-core',
    'packages/arcade-cache',
    'packages/arcade-cache-memory',
    'packages/arcade-cache-redis',
  ],
  // the browser/Node client: our types only (@arcade/ws/protocol), nothing of ours at run time
  'packages/arcade-client': [],
  // helpers for the tests only (never published)
  'packages/test-support': [],
  bench: '*',
};

// Layers inside a package, from the bottom up: a file may import only from its own layer or a lower
// one. This is how "no cycle between folders" is kept: with every folder in one layer, an import
// back up is the edge that would close a folder cycle. Entries are paths inside the package: one
// ending in "/" is a folder (all below it), any other is one file. A file of src/ in no layer may not
// import, or be imported by, another file of the package: add it to a layer.
const LAYERS = {
  'packages/arcade-ws': [
    // small shared helpers that everything may use
    // the events protocol's types and constants (no imports: the browser client uses them)
    ['protocol', 'src/protocol/'],
    ['shared', 'src/errors.ts', 'src/close-codes.ts', 'src/internal/'],
    // sockets, frames, message encoding, fan-out: delivers
    ['transport', 'src/transport/'],
    // rooms, records, storage, cluster node: decides recipients
    ['registry', 'src/registry/'],
    // wiring into the core App: WebSocketManager, routes, server hooks, the public API table
    // metrics, storage instrumentation and readiness: read the registry, wired in by the app
    ['operations', 'src/operations/'],
    ['app', 'src/app/'],
    // typed events on top of handleWebSocket and the registry: routes, connections, emitters
    ['events', 'src/events/'],
    // the public face
    ['index', 'src/index.ts'],
  ],
};

const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const within = (dir, entries) =>
  `^${escapeRegex(dir)}/(?:${entries.map((e) => (e.endsWith('/') ? escapeRegex(e) : `${escapeRegex(e)}$`)).join('|')})`;
const shortName = (dir) => dir.replace(/^.*\//, '').replace(/^arcade-/, '');
const anyOf = (dirs) => `^(?:${dirs.map(escapeRegex).join('|')})/`;

const layerRules = Object.entries(LAYERS).flatMap(([dir, layers]) => {
  const pkg = shortName(dir);
  const everyLayer = within(
    dir,
    layers.flatMap(([, ...entries]) => entries),
  );
  const src = `^${escapeRegex(dir)}/src/`;
  const order = layers.map(([name]) => name).join(' < ');
  return [
    ...layers.slice(0, -1).map(([name, ...entries], index) => {
      const above = layers.slice(index + 1);
      return {
        name: `${pkg}-layer-${name}`,
        severity: 'error',
        comment:
          `${dir}: '${name}' (layer ${index + 1} of ${layers.length}: ${order}) may import only from its own ` +
          `layer or below, never from ${above.map(([n]) => `'${n}'`).join(', ')}: an import back up makes ` +
          'the folders depend on each other (a cycle between folders). Move the shared piece down a layer, ' +
          'or pass it in from above.',
        from: { path: within(dir, entries) },
        to: {
          path: within(
            dir,
            above.flatMap(([, ...e]) => e),
          ),
        },
      };
    }),
    {
      name: `${pkg}-layer-unassigned`,
      severity: 'error',
      comment: `${dir}: this file is in no layer (${order}); add its folder to LAYERS in .dependency-cruiser.js.`,
      from: { path: src, pathNot: everyLayer },
      to: { path: src },
    },
    {
      name: `${pkg}-layer-unassigned`,
      severity: 'error',
      comment: `${dir}: the imported file is in no layer (${order}); add its folder to LAYERS in .dependency-cruiser.js.`,
      from: { path: src },
      to: { path: src, pathNot: everyLayer },
    },
  ];
});

// The files another package may reach, by package name: the entry points that tsconfig.depcruise.json
// maps each package name (and exported subpath, like '@arcade/cache/testing') to.
const PUBLIC_ENTRIES = `^(?:${Object.values(require('./tsconfig.depcruise.json').compilerOptions.paths)
  .flat()
  .map((target) => escapeRegex(target.replace(/^\.\//, '')).replace('\\*', '[^/]+'))
  .join('|')})$`;

const listed = Object.keys(PACKAGE_DEPENDENCIES);
const packageRules = [
  ...Object.entries(PACKAGE_DEPENDENCIES)
    .filter(([, allowed]) => allowed !== '*')
    .map(([dir, allowed]) => ({
      name: `${shortName(dir)}-package-deps`,
      severity: 'error',
      comment:
        `${dir} may import at run time ${allowed.length ? allowed.join(', ') : 'none of our packages'} ` +
        '(dependencies point one way; see PACKAGE_DEPENDENCIES in .dependency-cruiser.js). ' +
        'Use `import type` for types only, or move the code.',
      from: { path: `^${escapeRegex(dir)}/` },
      to: {
        path: WORKSPACE,
        pathNot: anyOf([dir, ...allowed]),
        dependencyTypesNot: ['type-only'],
      },
    })),
  {
    name: 'unlisted-package-deps',
    severity: 'error',
    comment:
      'This workspace package is not in PACKAGE_DEPENDENCIES (.dependency-cruiser.js), so it may import ' +
      'none of our packages at run time, only their types. Add it to the table with what it may use.',
    from: { path: WORKSPACE, pathNot: anyOf(listed) },
    to: { path: WORKSPACE, pathNot: '^$1/', dependencyTypesNot: ['type-only'] },
  },
];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'A cycle between files at run time: none of them can be understood, tested or moved alone, and one ' +
        'of them runs while the other is half-initialised. Break it by moving the shared piece into a file ' +
        'both import, or by passing it in.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-circular-type-only',
      // A cycle that only closes through `import type` costs nothing at run time, so it warns (shown on
      // every run) rather than fails; make it 'error' once none is left.
      severity: 'warn',
      comment:
        'A cycle between files that closes only through `import type`: harmless at run time but still ' +
        'ties the files together. Move the shared types into a file both import.',
      from: {},
      to: { circular: true, via: { dependencyTypes: ['type-only'] } },
    },
    {
      name: 'no-folder-cycle',
      severity: 'error',
      scope: 'folder',
      comment:
        'Two folders of one package import each other, directly or around a loop (`import type` counts): ' +
        'neither can be read or changed without the other. Move the shared piece down into a folder both ' +
        'may use. (dependency-cruiser does not count a folder and its own parent, e.g. src/ and src/app/; ' +
        'LAYERS covers those for @arcade/ws.)',
      from: { path: WORKSPACE },
      to: { path: '^$1/', circular: true },
    },
    {
      name: 'not-into-another-package',
      severity: 'error',
      comment:
        "Reaches into another workspace package's files by a relative path (../arcade-core/src/...). " +
        "Import it by its package name ('@arcade/core'): that is what it publishes, and the same import " +
        'works once the package is built and installed.',
      from: { path: WORKSPACE },
      to: { path: WORKSPACE, pathNot: '^$1/', dependencyTypesNot: ['aliased'] },
    },
    {
      name: 'not-into-another-package',
      severity: 'error',
      comment:
        "Reaches past another workspace package's entry point ('@arcade/core/src/...', '.../dist/...'). " +
        'Import only what the package exports: its name, or a subpath listed in its package.json ' +
        '"exports" (and in tsconfig.depcruise.json "paths"); the rest may change without notice.',
      from: { path: WORKSPACE },
      to: { path: WORKSPACE, pathNot: [`^$1/`, PUBLIC_ENTRIES] },
    },
    {
      name: 'not-to-test-support',
      severity: 'error',
      comment:
        '@arcade/test-support is never published: a package that imports it, even `import type`, breaks ' +
        'for everyone who installs it. Only tests (and bench) may use it.',
      from: { path: '^packages/', pathNot: '^packages/test-support/' },
      to: { path: '^packages/test-support/' },
    },
    ...packageRules,
    ...layerRules,
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'The import names a file or package that does not exist (a typo, a moved file, or a subpath that ' +
        'the package does not export); the other rules cannot judge an import they cannot follow.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Tests, build output and dependencies are not checked; an import that points into dist/ or
    // node_modules/ is still seen (and judged by the rules above), just not followed.
    exclude: { path: '(^|/)(test|__tests__)/|\\.(test|spec)\\.ts$' },
    doNotFollow: { path: '(^|/)(node_modules|dist)/' },
    moduleSystems: ['cjs', 'es6'],
    // Keep `import type` in the graph, marked 'type-only', so the rules can tell it apart.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.depcruise.json' },
    // Resolve like `tsc` with moduleResolution node10: no exports maps; .ts sources and .d.ts types.
    enhancedResolveOptions: { extensions: ['.ts', '.d.ts', '.js', '.json'], mainFields: ['main', 'types'] },
  },
};
