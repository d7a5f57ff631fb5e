// npm run audit:verify — walks the audit hash chain and names the first broken link (exit 1).
import { verifyAuditChain } from '../audit/audit.service';
import { nodeConfigSchema } from '../env';
import { openLibsql } from '../db/libsql';

const config = nodeConfigSchema.parse(process.env);
const { client, db } = await openLibsql(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN);
try {
  const verdict = await verifyAuditChain(db);
  if (verdict.ok) {
    console.log(`audit chain OK: ${verdict.count} entries, head ${verdict.head}`);
  } else {
    console.error(`audit chain BROKEN at seq ${verdict.brokenAt}: ${verdict.reason}`);
    process.exitCode = 1;
  }
} finally {
  client.close();
}
