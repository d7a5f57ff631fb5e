import { z } from 'zod';
import type { Db } from './db/client';
import type { AtRest } from './lib/at-rest';
import type { DelegateLinks } from './delegates/link.core';

/** Worker bindings: D1 (`DB`) or a remote libSQL/Turso primary (`LIBSQL_URL` + token). */
export interface WorkerBindings {
  DB?: D1Database;
  LIBSQL_URL?: string;
  LIBSQL_AUTH_TOKEN?: string;
  /** Key of the keyed hash of resident ID numbers (hex, 32 bytes); a Worker secret. */
  ID_HASH_KEY?: string;
  /** Data-encryption key (hex, 32 bytes) of venue and survey signing keys and handed-in shares; a Worker secret. */
  SECRET_KEY?: string;
  /** Enables /setup until the first organiser exists (D1 has no CLI access); same name as on Node. */
  SANMIN_SETUP_TOKEN?: string;
  /** SMS through Alibaba Cloud (see README Notifications); the Cron Trigger drains SMS with them. */
  ALIYUN_SMS_ACCESS_KEY_ID?: string;
  ALIYUN_SMS_ACCESS_KEY_SECRET?: string;
  ALIYUN_SMS_SIGN_NAME?: string;
  ALIYUN_SMS_TEMPLATES?: string;
  ALIYUN_SMS_ENDPOINT?: string;
  /** The site's public address, for links in messages. */
  SANMIN_PUBLIC_URL?: string;
}

export type { SessionUser } from './auth/auth.core';
import type { SessionUser } from './auth/auth.core';

export type AppEnv = {
  Bindings: WorkerBindings;
  Variables: {
    db: Db;
    user: SessionUser | null;
    sessionToken: string | null;
    csrfToken: string;
    clientIp: string;
    idHashKey: string | undefined;
    /** Opens and seals the secrets stored in the database; undefined when no data-encryption key is configured. */
    atRest: AtRest | undefined;
    /** Derives and looks up delegates' personal-link tokens (keyed by the data-encryption key); undefined without one. */
    delegateLinks: DelegateLinks | undefined;
    /** Overwrites what deleted secrets left in the database file and its WAL (embedded file only; a no-op elsewhere). */
    scrubDeleted: () => Promise<void>;
    setupToken: string | undefined;
  };
};

/** The setup token's minimum length, on both runtimes (Node refuses to start, /setup stays closed). */
export const SETUP_TOKEN_MIN_LENGTH = 16;



/** The template code of each event, as JSON: {"received":"SMS_1234",…}. */
const smsTemplates = z
  .string()
  .transform((text, ctx) => {
    try {
      const parsed = z.record(z.string(), z.string().regex(/^SMS_\d+$/, 'template codes look like SMS_123456')).parse(JSON.parse(text));
      return parsed;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'ALIYUN_SMS_TEMPLATES must be JSON like {"received":"SMS_123456"}' });
      return z.NEVER;
    }
  });

/** Notification providers; any left unset leaves that channel's messages in the outbox. */
export const notifyConfigSchema = z.object({
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'SMTP_URL must start with smtp:// or smtps://').optional(),
  SMTP_FROM: z.string().min(3).default('三民活动组委会 <noreply@sanmin.local>'),
  ALIYUN_SMS_ACCESS_KEY_ID: z.string().min(1).optional(),
  ALIYUN_SMS_ACCESS_KEY_SECRET: z.string().min(1).optional(),
  ALIYUN_SMS_SIGN_NAME: z.string().min(1).optional(),
  ALIYUN_SMS_TEMPLATES: smsTemplates.optional(),
  ALIYUN_SMS_ENDPOINT: z.url().optional(),
  SANMIN_PUBLIC_URL: z.url().default('http://localhost:8787'),
  SANMIN_SENDER_INTERVAL_MS: z.coerce.number().int().min(200).max(3_600_000).default(5_000),
});
export type NotifyConfig = z.infer<typeof notifyConfigSchema>;

/** Node configuration, parsed once at start; a bad value stops the process with a clear message. */
const baseNodeConfigSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(8787),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().min(1).default('file:data/sanmin.db'),
  DATABASE_AUTH_TOKEN: z.string().optional(),
  SANMIN_SETUP_TOKEN: z.string().min(SETUP_TOKEN_MIN_LENGTH, `SANMIN_SETUP_TOKEN must be at least ${SETUP_TOKEN_MIN_LENGTH} characters`).optional(),
  SANMIN_ID_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, 'SANMIN_ID_KEY must be 64 hex characters')
    .optional(),
  SANMIN_SECRET_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, 'SANMIN_SECRET_KEY must be 64 hex characters')
    .optional(),
});
export const nodeConfigSchema = baseNodeConfigSchema.extend(notifyConfigSchema.shape);
export type NodeConfig = z.infer<typeof nodeConfigSchema>;
