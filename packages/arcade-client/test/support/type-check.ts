// Runs the TypeScript compiler from a test: the type tests and the check that src/ compiles for browsers.
import * as path from 'node:path';
import * as ts from 'typescript';

/** A file given by its text instead of the disk. */
export interface VirtualFile {
  readonly name: string;
  readonly text: string;
}

/**
 * Type-checks `files` (and `extra`) with the options of the package's `tsconfig` (a file name in the
 * package folder); returns the diagnostics as "file:line message".
 */
export function typeCheck(tsconfig: string, files: string[], extra?: VirtualFile): string[] {
  const configPath = path.join(__dirname, '..', '..', tsconfig);
  const config = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, path.dirname(configPath));
  const host = ts.createCompilerHost({ ...options, noEmit: true });
  if (extra) {
    const { getSourceFile, fileExists } = host;
    host.getSourceFile = (file, language, ...rest) =>
      file === extra.name
        ? ts.createSourceFile(file, extra.text, language)
        : getSourceFile(file, language, ...rest);
    host.fileExists = (file) => file === extra.name || fileExists(file);
  }
  const program = ts.createProgram(
    [...files, ...(extra ? [extra.name] : [])],
    { ...options, noEmit: true },
    host,
  );
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const where = diagnostic.file
      ? `${path.basename(diagnostic.file.fileName)}:${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1}`
      : '';
    return `${where} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
  });
}
