import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { sessions, users, type Role } from '../db/schema';
import { randomToken, sha256Hex } from '../lib/crypto';
import type { SessionUser } from '../env';
import { SESSION_TTL_MS } from './auth.core';

export type User = typeof users.$inferSelect;

const sessionUserColumns = {
  id: users.id,
  username: users.username,
  displayName: users.displayName,
  role: users.role,
  venueName: users.venueName,
  departmentName: users.departmentName,
};

export async function findUserByUsername(db: Db, username: string): Promise<User | undefined> {
  const [u] = await db.select().from(users).where(eq(users.username, username));
  return u;
}

export async function listUsers(db: Db): Promise<User[]> {
  return db.select().from(users).orderBy(asc(users.role), asc(users.username));
}

export async function getUser(db: Db, id: string): Promise<User | undefined> {
  const [u] = await db.select().from(users).where(eq(users.id, id));
  return u;
}

export function insertUser(
  db: Db,
  u: { id: string; username: string; displayName: string; passwordHash: string; role: Role; venueName: string | null; departmentName: string | null; email?: string | null },
) {
  return db.insert(users).values(u);
}

/** Opens a session and returns its token; only the token's hash is stored. */
export function newSession(db: Db, userId: string, now = Date.now()) {
  const token = randomToken();
  const insert = db.insert(sessions).values({ tokenHash: sha256Hex(token), userId, expiresAt: new Date(now + SESSION_TTL_MS) });
  return { token, insert };
}

export async function sessionUser(db: Db, token: string, now = Date.now()): Promise<SessionUser | undefined> {
  const [u] = await db
    .select(sessionUserColumns)
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, sha256Hex(token)), gt(sessions.expiresAt, new Date(now)), eq(users.active, true)));
  return u;
}

export function deleteSession(db: Db, token: string) {
  return db.delete(sessions).where(eq(sessions.tokenHash, sha256Hex(token)));
}

export function deleteUserSessions(db: Db, userId: string) {
  return db.delete(sessions).where(eq(sessions.userId, userId));
}
