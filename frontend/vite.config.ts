import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The API process serves dist/ itself at `/` (and `/s/{id}`), so assets live under /assets.
const API = process.env.EXECBOX_API ?? 'http://127.0.0.1:8000';

export default defineConfig({
  base: '/',
  plugins: [react(), tailwindcss()],
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
