// Node entry: embedded libSQL file by default, migrated and seeded on first start.
import { nodeConfigSchema } from './env';
import { startServer } from './node/boot';

const parsed = nodeConfigSchema.safeParse(process.env);
if (!parsed.success) {
  console.error('Invalid configuration:', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  process.exit(1);
}

const server = await startServer(parsed.data);
console.log(`Sanmin is serving ${parsed.data.DATABASE_URL} at ${server.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
