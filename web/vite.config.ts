import { defineConfig } from "vite";

// The console serves these files itself (no CDN, no network beyond loopback at run time); the
// build's output folder is given by the project's build (`--outDir`).
export default defineConfig({
  base: "/",
  build: {
    target: "es2020",
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});
