/**
 * Loaded (`--import`, after tsx) into a Playwright run of the installed package
 * (lib/run/conformance-process.ts): Playwright compiles no TypeScript under node_modules, so tsx
 * does, onto a few long lines; this hands tsx's source maps to the source-map support Playwright
 * reads test locations, error snippets and stacks through, so that they point into the sources.
 */
import { createRequire, findSourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface RetrievedMap {
  url: string;
  map: object;
}

interface SourceMapSupport {
  install(options: { environment: 'node'; handleUncaughtExceptions: boolean; retrieveSourceMap(source: string): RetrievedMap | null }): void;
}

// Playwright's own instance: playwright-core as the playwright of @playwright/test resolves it.
const playwright = createRequire(createRequire(require.resolve('@playwright/test')).resolve('playwright'));
const { sourceMapSupport } = playwright('playwright-core/lib/utilsBundle') as { sourceMapSupport: SourceMapSupport };

sourceMapSupport.install({
  environment: 'node',
  handleUncaughtExceptions: false,
  retrieveSourceMap(source) {
    const map = findSourceMap(source)?.payload;
    // tsx names the sources by file URL; Playwright reports locations as paths.
    return map ? { url: source, map: { ...map, sources: map.sources.map((s) => (s.startsWith('file:') ? fileURLToPath(s) : s)) } } : null;
  },
});
