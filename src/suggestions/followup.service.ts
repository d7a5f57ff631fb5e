/**
 * 回访: the author rates a published answer; 满意/基本满意 closes the item, 不满意 reopens it to
 * the same departments with a new deadline (at most MAX_REOPEN_ROUNDS), then the organiser
 * decides. Every outcome is one audited batch with its notification, re-checked in the batch.
 */
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { v7 as uuidv7 } from 'uuid';
import { audited, stillAbsent, stillHolds, type Actor } from '../audit/audit.service';
import type { Db } from '../db/client';
import { suggestionAssignments, suggestionRatings, suggestions, type Rating } from '../db/schema';
import { AppError } from '../lib/errors';
import type { AtRest } from '../lib/at-rest';
import { chinaDate } from '../notifications/outbox.core';
import { enqueueForAuthor } from '../notifications/outbox.service';
import { feedbackToken } from '../notifications/links.service';
import { answerDeadline, decideFollowUp, maskForOthers, WorkflowError, type FollowUpDecision } from './suggestions.core';
import { assignmentsOf, setAssignment, setSuggestion, type Suggestion } from './suggestions.service';

export type RatingRow = typeof suggestionRatings.$inferSelect;

/** The author's 回访 actor in the audit log: no name, no number. */
const CITIZEN: Actor = { id: null, name: 'citizen' };

const ratingChanged = () => new AppError(409, 'RATING_CHANGED', '该建议的评价或办理状态刚刚已更新,请刷新页面查看');

export async function ratingsOf(db: Db, seq: number): Promise<RatingRow[]> {
  return db.select().from(suggestionRatings).where(eq(suggestionRatings.suggestionSeq, seq)).orderBy(asc(suggestionRatings.round));
}

/** Whether `token` is this suggestion's 回访 token (compared as whole strings of fixed length). */
export async function isFeedbackToken(atRest: AtRest | undefined, code: string, token: string): Promise<boolean> {
  if (!atRest || !/^[A-Za-z0-9_-]{22}$/.test(token)) return false;
  const expected = await feedbackToken(atRest, code);
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ token.charCodeAt(i);
  return diff === 0;
}

/** The state a rating was decided on is still the state in the database. */
function followUpUnchanged(db: Db, s: Suggestion) {
  return [
    stillHolds(
      db,
      suggestions,
      and(eq(suggestions.seq, s.seq), eq(suggestions.status, 'published'), eq(suggestions.reopenRound, s.reopenRound), isNull(suggestions.closedAt), eq(suggestions.organiserReview, false)),
      ratingChanged(),
    ),
  ];
}

export async function rateAnswer(db: Db, s: Suggestion, input: { rating: Rating; comment: string }, now = Date.now()): Promise<FollowUpDecision> {
  let decision: FollowUpDecision;
  try {
    decision = decideFollowUp(s, input.rating);
  } catch (err) {
    if (err instanceof WorkflowError) throw new AppError(409, err.code, err.message);
    throw err;
  }
  const round = s.reopenRound;
  const statements: BatchItem<'sqlite'>[] = [db.insert(suggestionRatings).values({ suggestionSeq: s.seq, round, rating: input.rating, comment: input.comment, at: now })];
  const all = await assignmentsOf(db, s.seq);
  if (decision.kind === 'close') {
    statements.push(setSuggestion(db, s.seq, { closedAt: now }), enqueueForAuthor(db, { seq: s.seq }, 'closed', { code: s.code }, `r${round}`, now));
  } else if (decision.kind === 'reopen') {
    const answered = all.filter((a) => a.status === 'answered');
    const deadline = answerDeadline(now);
    for (const a of answered) {
      statements.push(
        setAssignment(db, a.id, { status: 'reopened' }),
        db.insert(suggestionAssignments).values({ id: uuidv7(), suggestionSeq: s.seq, departmentId: a.departmentId, departmentName: a.departmentName, routingScore: a.routingScore, assignedAt: now, deadlineAt: deadline, round: decision.round }),
      );
    }
    statements.push(
      setSuggestion(db, s.seq, { status: 'dispatched', reopenRound: decision.round }),
      enqueueForAuthor(db, { seq: s.seq }, 'reopened', { code: s.code, departments: [...new Set(answered.map((a) => a.departmentName))].join('、'), deadline: chinaDate(deadline) }, `r${decision.round}`, now),
    );
  } else {
    statements.push(setSuggestion(db, s.seq, { organiserReview: true }));
  }
  await audited(db, CITIZEN, 'suggestion.rate', `suggestion:${s.code}`, { round, rating: input.rating, outcome: decision.kind }, statements, [
    ...followUpUnchanged(db, s),
    stillAbsent(db, suggestionRatings, and(eq(suggestionRatings.suggestionSeq, s.seq), eq(suggestionRatings.round, round)), new AppError(409, 'ALREADY_RATED', '您已评价过本次答复,感谢您的反馈')),
  ]);
  return decision;
}

/** The organiser ends the 回访 (after the last round, or for an item no one will rate). */
export async function closeByOrganiser(db: Db, actor: Actor, s: Suggestion, note: string, now = Date.now()): Promise<void> {
  if (s.status !== 'published' || s.closedAt !== null) throw new AppError(409, 'CANNOT_CLOSE', s.closedAt !== null ? '该建议已办结' : '答复公开后才能办结');
  await audited(db, actor, 'suggestion.close', `suggestion:${s.code}`, { note }, [
    setSuggestion(db, s.seq, { closedAt: now, organiserReview: false }),
    enqueueForAuthor(db, { seq: s.seq }, 'closed', { code: s.code }, `r${s.reopenRound}`, now),
  ], [stillHolds(db, suggestions, and(eq(suggestions.seq, s.seq), eq(suggestions.status, 'published'), isNull(suggestions.closedAt)), ratingChanged())]);
}

/** The ratings as a department reads them: the comment masked by the personal-data module, no identity. */
export async function ratingsForHandler(db: Db, seq: number): Promise<Pick<RatingRow, 'round' | 'rating' | 'comment' | 'at'>[]> {
  const [author] = await db.select({ authorName: suggestions.authorName }).from(suggestions).where(eq(suggestions.seq, seq));
  if (!author) return [];
  return (await ratingsOf(db, seq)).map((r) => ({ round: r.round, rating: r.rating, comment: maskForOthers(r.comment, author), at: r.at }));
}
