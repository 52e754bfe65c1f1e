// The ES module build must load in a browser from a plain <script type="module">: every relative
// import needs its .js suffix (tsc keeps specifiers as written) and nothing may be imported from a
// package at run time (a browser without a bundler or an import map cannot resolve `@arcade/ws`).
// These rules are checked on src/, which the ES module build copies import for import; and src/ must
// compile with the browser's globals alone (no Buffer, no process).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { typeCheck } from './support/type-check';

const src = path.join(__dirname, '..', 'src');

/** The run-time imports and re-exports of a module (those `import type` / `export type` leave out). */
function runtimeSpecifiers(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const specifiers: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const typeOnly =
        clause?.isTypeOnly ||
        (clause?.name === undefined &&
          clause?.namedBindings !== undefined &&
          ts.isNamedImports(clause.namedBindings) &&
          clause.namedBindings.elements.every((element) => element.isTypeOnly));
      if (!typeOnly) specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier) {
      const typeOnly =
        statement.isTypeOnly ||
        (statement.exportClause !== undefined &&
          ts.isNamedExports(statement.exportClause) &&
          statement.exportClause.elements.every((element) => element.isTypeOnly));
      if (!typeOnly) specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return specifiers;
}

describe('the browser build', () => {
  const files = fs.readdirSync(src).filter((name) => name.endsWith('.ts'));

  it('imports only relative .js modules at run time', () => {
    const wrong = files.flatMap((name) =>
      runtimeSpecifiers(path.join(src, name))
        .filter((specifier) => !/^\.\.?\/[\w-]+\.js$/.test(specifier))
        .map((specifier) => `${name}: ${specifier}`),
    );
    expect(wrong).toEqual([]);
    // The check sees the imports it must see.
    expect(runtimeSpecifiers(path.join(src, 'index.ts'))).toContain('./client.js');
  });

  it("compiles with the DOM's globals and without Node's typings", () => {
    expect(typeCheck('tsconfig.build.json', [path.join(src, 'index.ts')])).toEqual([]);
    // The check sees a Node-only API when there is one.
    const name = path.join(src, 'uses-buffer.ts');
    expect(
      typeCheck('tsconfig.build.json', [], { name, text: "export const b = Buffer.from('x');" }),
    ).toEqual([expect.stringMatching(/^uses-buffer\.ts:1 Cannot find name 'Buffer'/)]);
  });
});
