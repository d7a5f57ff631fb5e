import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

// Runs test/workers inside workerd against a local D1 with drizzle/ applied.
export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      // SECRET_KEY stands in for the Worker secret (`wrangler secret put SECRET_KEY`): a fixed test value
      miniflare: { bindings: { TEST_MIGRATIONS: await readD1Migrations('./drizzle'), SECRET_KEY: '5a'.repeat(32) } },
    }),
  ],
  test: {
    include: ['test/workers/**/*.test.ts'],
    testTimeout: 60_000,
  },
}));
