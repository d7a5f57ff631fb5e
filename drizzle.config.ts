import { defineConfig } from 'drizzle-kit';

// One schema, one migrations folder: Node (libSQL file), D1 and Turso all apply drizzle/.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema/index.ts',
  out: './drizzle',
});
