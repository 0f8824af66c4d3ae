import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The Gatehouse server `pnpm dev` proxies to; start it with `pnpm start` at the root. */
const apiTarget = process.env.GATEHOUSE_DEV_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    // The Host header is kept (no changeOrigin), so the server sees the page's own origin and
    // accepts the refresh cookie from pages served by this dev server.
    proxy: { '/trpc': { target: apiTarget }, '/openapi.json': { target: apiTarget } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
});
