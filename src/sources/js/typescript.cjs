// TypeScript is a CommonJS package of 9 MB. Imported from ESM, Node first runs
// cjs-module-lexer over all of it to find named exports (~0.5 s per start);
// required from this CommonJS shim it is just loaded. Import `ts` from here.
// (Not `module.exports = require(...)`: the lexer would follow that re-export.)
const ts = require('typescript');
module.exports = ts;
