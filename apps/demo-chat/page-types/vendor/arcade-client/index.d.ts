// The type of `public/vendor/arcade-client/index.js` for `tsconfig.page.json`: the page imports the
// client from that URL (served by src/client-module.ts from @arcade/client's dist/esm), and this file,
// merged with public/ by `rootDirs`, tells the compiler it is @arcade/client's ES module build.
export * from '@arcade/client';
