// Vite builds the portal into dist/, served by `sluice serve` at /portal/ (src/api/portal_files.h):
// hashed file names under assets/ (served as immutable), no inline script (the server's CSP).
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/portal/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
});
