import { z } from 'zod';
import type { Db } from './db/client';
import type { Role } from './db/schema';

/** Worker bindings: D1 (`DB`) or a remote libSQL/Turso primary (`LIBSQL_URL` + token). */
export interface WorkerBindings {
  DB?: D1Database;
  LIBSQL_URL?: string;
  LIBSQL_AUTH_TOKEN?: string;
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
  };
};

/** Node configuration, parsed once at start; a bad value stops the process with a clear message. */
export const nodeConfigSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(8787),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().min(1).default('file:data/sanmin.db'),
  DATABASE_AUTH_TOKEN: z.string().optional(),
});
export type NodeConfig = z.infer<typeof nodeConfigSchema>;
