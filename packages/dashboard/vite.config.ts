import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// `npm run dev -w packages/dashboard` serves the app with hot reload and forwards the API to a
// running server (PROLIFERATE_URL, default the server's default port).
const api = process.env.PROLIFERATE_URL ?? 'http://127.0.0.1:8000';

export default defineConfig({
  plugins: [preact()],
  server: { proxy: { '/api': api, '/healthz': api } },
  build: {
    target: 'es2022',
    // Vite would inline small assets as data: URLs; keep everything as same-origin files.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
    // The replay player is its own page (replay.html, served at /replay-frame/ with its own CSP).
    rollupOptions: { input: { main: 'index.html', replay: 'replay.html' } },
  },
});
