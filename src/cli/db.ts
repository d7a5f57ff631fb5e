import { nodeConfigSchema } from '../env';
import { prepareDatabase } from '../node/boot';

/** Opens the database the server would use (DATABASE_URL), migrated and seeded. */
export async function openConfiguredDatabase() {
  const config = nodeConfigSchema.parse(process.env);
  return prepareDatabase(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN);
}
