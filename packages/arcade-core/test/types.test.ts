import { join } from 'node:path';
import ts from 'typescript';

const packageDir = join(__dirname, '..');
const guideFixture = join(__dirname, 'fixtures', 'guide-auth.ts');
const misuseFile = join(__dirname, 'fixtures', 'virtual-misuse.ts');
const virtualFiles: Record<string, string> = {
  [misuseFile]: ["import { route } from '../../src';", "route.get('/x').handle((ctx) => ctx.user);"].join(
    '\n',
  ),
};

/** Type-checks the files in one program with the package's tsconfig; diagnostics grouped by file. */
function typeCheck(rootFiles: string[]): Map<string, string[]> {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(packageDir, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (parsed === undefined) throw new Error('tsconfig.json could not be read');
  const host = ts.createCompilerHost(parsed.options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (fileName) => virtualFiles[fileName] ?? readFile(fileName);
  host.fileExists = (fileName) => fileName in virtualFiles || fileExists(fileName);
  const program = ts.createProgram(rootFiles, { ...parsed.options, noEmit: true }, host);
  const byFile = new Map<string, string[]>(rootFiles.map((file) => [file, []]));
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const file = diagnostic.file?.fileName ?? '<global>';
    const message = `TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
    byFile.set(file, [...(byFile.get(file) ?? []), message]);
  }
  return byFile;
}

describe('type-level API', () => {
  let diagnostics: Map<string, string[]>;

  beforeAll(() => {
    diagnostics = typeCheck([guideFixture, misuseFile]);
  });

  it('reports nothing outside the checked files', () => {
    expect([...diagnostics.keys()].sort()).toEqual([guideFixture, misuseFile].sort());
  });

  it("compiles the guide's AuthedWebSocketContext and Object.assign patterns (and their expected errors)", () => {
    expect(diagnostics.get(guideFixture)).toEqual([]);
  });

  it('rejects a handler that uses a property no before hook provided', () => {
    expect(diagnostics.get(misuseFile)).toEqual([
      expect.stringMatching(/^TS2339: Property 'user' does not exist on type 'RequestContext'/),
    ]);
  });
});
