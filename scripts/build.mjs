#!/usr/bin/env node
// Bundles the CLI into dist/ostack.mjs with esbuild: one file loads in a fraction of the time
// Node needs to resolve the hundreds of small modules of Fastify, Kysely and TypeBox, which keeps
// the all-in-one start under a second. Native addons and drivers stay external. Type checking is
// `npm run typecheck` (part of `npm test`).
import { build } from 'esbuild'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(fileURLToPath(import.meta.url), '..', '..')
await build({
  entryPoints: [join(root, 'src', 'main.ts')],
  outfile: join(root, 'dist', 'ostack.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  external: ['better-sqlite3', 'bcrypt', 'pg', 'mysql2', 'pino', 'thread-stream'],
  // Bundled CommonJS dependencies still call require().
  banner: {
    js: "import { createRequire as __ostackRequire } from 'node:module'; const require = __ostackRequire(import.meta.url);",
  },
})
