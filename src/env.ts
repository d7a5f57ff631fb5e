import { z } from 'zod';
import type { Db } from './db/client';
import type { Role } from './db/schema';
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
}

export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  venueName: string | null;
  departmentName: string | null;
}

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

/** Node configuration, parsed once at start; a bad value stops the process with a clear message. */
export const nodeConfigSchema = z.object({
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
export type NodeConfig = z.infer<typeof nodeConfigSchema>;
