import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * `node dist/profile-summary.js <file.cpuprofile> [top]`: where a `--cpu-prof` profile of a target
 * server spent its time, as self time per function and per package, and inclusive time per function.
 * Idle time is left out of the percentages, so they are shares of the time the server was busy.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function packageOf(url: string, name: string): string {
  if (url === '') return name.startsWith('(') ? name : '(native)';
  if (url.startsWith('node:')) return 'node';
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pnpm) return pnpm[1]!;
  const workspace = /\/packages\/(arcade-[^/]+)\//.exec(url);
  if (workspace) return `@arcade/${workspace[1]!.slice('arcade-'.length)}`;
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (module) return module[1]!;
  return basename(url);
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName === '' ? '(anonymous)' : functionName;
  if (url === '') return name;
  if (url.startsWith('node:')) return `${name} ${url}:${lineNumber + 1}`;
  return `${name} ${packageOf(url, name)}:${basename(url)}:${lineNumber + 1}`;
}

function table(title: string, totals: Map<string, number>, busy: number, top: number): string {
  const rows = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `${title}`,
    ...rows.map(([key, micros]) => `${((micros / busy) * 100).toFixed(1).padStart(6)}%  ${key}`),
    '',
  ].join('\n');
}

function summarize(profile: CpuProfile, top: number): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const perPackage = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, index) => {
    const node = byId.get(id)!;
    const micros = profile.timeDeltas[index] ?? 0;
    if (node.callFrame.functionName === '(idle)') return;
    busy += micros;
    const key = label(node);
    self.set(key, (self.get(key) ?? 0) + micros);
    const pkg = packageOf(node.callFrame.url, node.callFrame.functionName);
    perPackage.set(pkg, (perPackage.get(pkg) ?? 0) + micros);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const ancestor = label(byId.get(at)!);
      if (seen.has(ancestor)) continue;
      seen.add(ancestor);
      inclusive.set(ancestor, (inclusive.get(ancestor) ?? 0) + micros);
    }
  });
  return [
    `busy ${(busy / 1000).toFixed(0)} ms`,
    '',
    table('self time by package', perPackage, busy, top),
    table('self time by function', self, busy, top),
    table('inclusive time by function', inclusive, busy, top),
  ].join('\n');
}

const [file, top] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node dist/profile-summary.js <file.cpuprofile> [top=25]\n');
  process.exit(2);
}
process.stdout.write(summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(top ?? 25)));
