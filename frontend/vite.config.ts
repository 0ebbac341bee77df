import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

// The API process serves dist/ itself at `/` (and `/s/{id}`), so assets live under /assets.
const API = process.env.EXECBOX_API ?? 'http://127.0.0.1:8000';

// The API serves /docs and /redoc from these, under the UI's CSP: no CDN, and they work offline.
interface VendoredFile {
  pkg: string;
  file: string;
  replace?: [from: string, to: string];
}

const API_DOCS_FILES: Record<string, VendoredFile> = {
  'swagger-ui-bundle.js': { pkg: 'swagger-ui-dist', file: 'swagger-ui-bundle.js' },
  'swagger-ui.css': { pkg: 'swagger-ui-dist', file: 'swagger-ui.css' },
  'favicon.png': { pkg: 'swagger-ui-dist', file: 'favicon-32x32.png' },
  'redoc.standalone.js': {
    pkg: 'redoc',
    file: 'bundles/redoc.standalone.js',
    // Its sidebar credit's logo comes from a CDN, which the CSP blocks with a console error. An
    // undecodable data: URL fails quietly instead, and Redoc then drops the image, as offline.
    replace: ['"https://cdn.redoc.ly/redoc/logo-mini.svg"', '"data:,"'],
  },
};

function vendorApiDocs(): Plugin {
  const require = createRequire(import.meta.url);
  return {
    name: 'execbox-vendor-api-docs',
    apply: 'build',
    generateBundle() {
      for (const [name, { pkg, file, replace }] of Object.entries(API_DOCS_FILES)) {
        const path = join(dirname(require.resolve(`${pkg}/package.json`)), file);
        let source: Uint8Array | string = readFileSync(path);
        if (replace) {
          const [from, to] = replace;
          const text = source.toString();
          // An upgrade that moved the text must not ship the CDN request again unnoticed.
          if (!text.includes(from)) this.error(`${path} no longer contains ${from}`);
          source = text.replaceAll(from, to);
        }
        this.emitFile({ type: 'asset', fileName: `api-docs/${name}`, source });
      }
    },
  };
}

export default defineConfig({
  base: '/',
  plugins: [react(), tailwindcss(), vendorApiDocs()],
  server: {
    proxy: {
      // ws: the live-run stream (/api/v1/code/stream) is a WebSocket.
      '/api': { target: API, changeOrigin: false, ws: true },
      '/health': { target: API, changeOrigin: false },
    },
  },
  build: {
    // Monaco alone is ~3 MB minified; splitting it keeps the app shell small and cacheable.
    chunkSizeWarningLimit: 4096,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    css: false,
  },
});
