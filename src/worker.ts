// Workers entry: the same app over D1 (binding DB) or a remote libSQL/Turso database.
import { createClient } from '@libsql/client/web';
import { drizzle as drizzleD1 } from 'drizzle-orm/d1';
import { drizzle as drizzleLibsql } from 'drizzle-orm/libsql/web';
import type { Context } from 'hono';
import htmxSource from 'htmx.org/dist/htmx.min.js';
import { seedCampaign } from '../seed/load';
import { reindexPublicSuggestions } from './suggestions/suggestions.service';
import { createApp } from './app';
import { schema, type Db } from './db/client';
import type { AppEnv, WorkerBindings } from './env';
import { AppError } from './lib/errors';
import { atRestCipher } from './lib/at-rest';
import { encryptPlaintextSecrets, reissueClearDelegateLinks } from './db/encrypt-at-rest';
import { delegateLinks } from './delegates/links.service';
import { RSABSSA } from '@cloudflare/blindrsa-ts';
import { useNativeRsa } from './hearing/credential.core';
import { fromB64url } from './tally/seal.core';
import { drainOutbox } from './notifications/sender.service';
import { sealAuthorContacts } from './suggestions/author-contact.service';
import { enqueueReminders } from './notifications/outbox.repo';
import { smsTransportFrom } from './notifications/providers.service';
import { installSegmenter } from './suggestions/segmenter.service';
// jieba's wasm (dictionary included), compiled by wrangler at upload: the router cuts words as on Node.
// Imported by path because the package's exports map does not list its .wasm file.
import jiebaWasm from '../node_modules/jieba-wasm/pkg/web/jieba_rs_wasm_bg.wasm';

installSegmenter(jiebaWasm);

// workerd implements WebCrypto's RSA-RAW: blind signatures in native code, not JS bignums
const rawKeys = new Map<string, Promise<CryptoKey>>();
useNativeRsa(async (pkcs8, blinded) => {
  let key = rawKeys.get(pkcs8);
  if (!key) {
    key = crypto.subtle.importKey('pkcs8', fromB64url(pkcs8).slice().buffer as ArrayBuffer, { name: 'RSA-RAW', hash: 'SHA-384' } as unknown as RsaHashedImportParams, false, ['sign']);
    rawKeys.set(pkcs8, key);
  }
  return RSABSSA.SHA384.PSS.Randomized({ supportsRSARAW: true }).blindSign(await key, blinded);
});

function databaseFor(env: WorkerBindings): Db {
  if (env.DB) return drizzleD1(env.DB, { schema }) as unknown as Db;
  if (env.LIBSQL_URL) {
    const client = createClient({ url: env.LIBSQL_URL, authToken: env.LIBSQL_AUTH_TOKEN });
    return drizzleLibsql(client, { schema }) as unknown as Db;
  }
  throw new AppError(500, 'NO_DATABASE', '系统未配置数据库(需要 D1 绑定 DB 或 LIBSQL_URL)');
}

// Migrations are applied by `wrangler d1 migrations apply` (D1) or `npm run db:migrate` (Turso);
// the 2018 seed is loaded once per isolate if missing (idempotent), after the public
// suggestions missing from the masked search index are indexed (e.g. after migration 0011), and
// secrets written in the clear by an older version are sealed under SECRET_KEY, and delegates'
// personal links stored in the clear are re-issued as keyed hashes (both idempotent too).
let seeded: Promise<unknown> | undefined;

const app = createApp({
  db: async (c: Context<AppEnv>) => {
    const db = databaseFor(c.env);
    const atRest = atRestCipher(c.env.SECRET_KEY);
    const links = delegateLinks(c.env.SECRET_KEY);
    seeded ??= reindexPublicSuggestions(db)
      .then(() => seedCampaign(db))
      .then(() => (atRest ? encryptPlaintextSecrets(db, atRest) : 0))
      .then(() => (links ? reissueClearDelegateLinks(db, links) : 0))
      .then(() => (atRest ? sealAuthorContacts(db, atRest) : 0))
      .catch((err) => {
        seeded = undefined;
        throw err;
      });
    await seeded;
    return db;
  },
  clientIp: (c) => c.req.header('cf-connecting-ip') ?? 'unknown',
  idHashKey: (c) => c.env.ID_HASH_KEY,
  secretKey: (c) => c.env.SECRET_KEY,
  setupToken: (c) => c.env.SANMIN_SETUP_TOKEN,
  htmxSource,
});

/**
 * The Cron Trigger (wrangler.toml `[triggers]`): drains the outbox's SMS through the Alibaba Cloud
 * adapter (fetch + WebCrypto run in workerd). E-mail is left in the outbox on Workers: nodemailer
 * needs node:net, and no HTTP mail API is configured; organisers see it waiting, and a Node
 * sender over the same database (Turso) delivers it.
 */
export async function scheduled(_controller: ScheduledController, env: WorkerBindings, ctx: ExecutionContext): Promise<void> {
  let templates: Record<string, string> | undefined;
  try {
    templates = env.ALIYUN_SMS_TEMPLATES ? (JSON.parse(env.ALIYUN_SMS_TEMPLATES) as Record<string, string>) : undefined;
  } catch {
    console.error('ALIYUN_SMS_TEMPLATES is not JSON; SMS stays in the outbox');
    return;
  }
  const db = databaseFor(env);
  // reminders are queued here too (their e-mail then waits in the outbox, see above)
  ctx.waitUntil(enqueueReminders(db, Date.now()).catch((err) => console.error('reminders:', err)));
  const sms = smsTransportFrom({ ...env, ALIYUN_SMS_TEMPLATES: templates });
  if (!sms) return;
  ctx.waitUntil(drainOutbox({ db, atRest: atRestCipher(env.SECRET_KEY), transports: { sms }, publicUrl: env.SANMIN_PUBLIC_URL ?? 'https://sanmin.invalid' }).then(() => undefined));
}

export default { fetch: app.fetch, scheduled } satisfies ExportedHandler<WorkerBindings>;
