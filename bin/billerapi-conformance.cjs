#!/usr/bin/env node
/**
 * `billerapi-conformance`: runs scripts/cli.ts in this process with tsx's loader (as
 * `node --import tsx` would: for `require` and `import()` alike), since the repository runs its
 * TypeScript as it is, without a build step.
 */
'use strict';
const { join } = require('node:path');

import('tsx').then(() => require(join(__dirname, '..', 'scripts', 'cli.ts')).main(process.argv.slice(2)));
