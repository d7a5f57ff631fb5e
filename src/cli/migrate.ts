// npm run db:migrate — applies drizzle/ and seeds 2018 on DATABASE_URL (a file, or a Turso URL
// with DATABASE_AUTH_TOKEN), e.g. before deploying the Worker against Turso.
import { openConfiguredDatabase } from './db';

const handle = await openConfiguredDatabase();
console.log('migrated and seeded');
handle.client.close();
