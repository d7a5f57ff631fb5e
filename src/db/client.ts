import type { BatchItem, BatchResponse } from 'drizzle-orm/batch';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { getTableColumns, type Table } from 'drizzle-orm';
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

/** D1 binds at most 100 parameters per statement; multi-row inserts are split to fit. */
export const MAX_BOUND_PARAMETERS = 100;

/**
 * Splits rows for multi-row inserts. Pass the table when rows leave out columns with defaults:
 * drizzle binds a value for every column that has a default, so the row's own keys undercount.
 */
export function chunkRows<T extends object>(rows: readonly T[], table?: Table): T[][] {
  if (rows.length === 0) return [];
  const columns = Math.max(1, table ? Object.keys(getTableColumns(table)).length : Object.keys(rows[0]!).length);
  const size = Math.max(1, Math.floor(MAX_BOUND_PARAMETERS / columns));
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}
