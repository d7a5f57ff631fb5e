import { and, asc, eq } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/client';
import { answerTemplates } from '../db/schema';

export type AnswerTemplate = typeof answerTemplates.$inferSelect;

export async function listTemplates(db: Db, campaignId: string, theme?: string): Promise<AnswerTemplate[]> {
  return db
    .select()
    .from(answerTemplates)
    .where(and(eq(answerTemplates.campaignId, campaignId), theme === undefined ? undefined : eq(answerTemplates.theme, theme)))
    .orderBy(asc(answerTemplates.theme), asc(answerTemplates.title));
}

export const insertTemplate = (db: Db, campaignId: string, t: { theme: string; title: string; body: string }) => db.insert(answerTemplates).values({ id: uuidv7(), campaignId, ...t });

export const deleteTemplate = (db: Db, campaignId: string, id: string) => db.delete(answerTemplates).where(and(eq(answerTemplates.id, id), eq(answerTemplates.campaignId, campaignId)));
