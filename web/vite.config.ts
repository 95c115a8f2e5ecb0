/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// In development the API lives on a running Switchboard server; point
// SWITCHBOARD_URL at it (default http://127.0.0.1:8080) and `npm run dev`
// proxies /api there, so the app stays same-origin as in production.
const target = process.env.SWITCHBOARD_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  server: { proxy: { "/api": { target, changeOrigin: false } } },
  build: { outDir: "dist", sourcemap: true },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});
