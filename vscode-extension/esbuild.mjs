// Bundle the extension and vscode-languageclient into one CommonJS file for the .vsix, and the
// unit tests (pure modules only, no vscode) into out/ for `node --test`.
import { build } from "esbuild";

const common = { bundle: true, format: "cjs", platform: "node", target: "node20", logLevel: "warning" };

await build({
  ...common,
  entryPoints: ["src/extension.ts"],
  outfile: "dist/extension.js",
  external: ["vscode"],
  sourcemap: true,
  minify: true,
});
await build({ ...common, entryPoints: ["src/hunks.test.ts"], outdir: "out" });
