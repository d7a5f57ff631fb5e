import type { BatchItem, BatchResponse } from 'drizzle-orm/batch';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import * as schema from './schema';

export { schema };
export type Schema = typeof schema;

/**
 * What domain code may use of a database: the query builder and atomic batch().
 * Both drizzle-orm/libsql and drizzle-orm/d1 satisfy it; interactive transactions are
 * deliberately absent (D1 has none, and libSQL ones deadlock under load).
 */
export type Db = BaseSQLiteDatabase<'async', unknown, Schema> & {
  batch<U extends BatchItem<'sqlite'>, T extends Readonly<[U, ...U[]]>>(batch: T): Promise<BatchResponse<T>>;
};
