import { and, eq } from 'drizzle-orm';
import type { Campaign } from '../campaigns/campaigns.service';
import type { Db } from '../db/client';
import { suggestionAssignments, suggestionRatings, suggestions } from '../db/schema';
import { formulaText, handlingPeriodClosed, handlingScores, parseFormula, type HandlingScore } from './handling-score.core';

export interface HandlingScores {
  scores: HandlingScore[];
  formula: string;
  /** Whether the handling period has closed (the department page shows scores only then). */
  closed: boolean;
}

/** The handling scores of `departments` in a campaign, from its assignments and 回访 ratings. */
export async function departmentHandling(db: Db, campaign: Campaign, departments: readonly string[], now = Date.now()): Promise<HandlingScores> {
  const [assignments, ratings] = await Promise.all([
    db
      .select({
        suggestionSeq: suggestionAssignments.suggestionSeq,
        departmentName: suggestionAssignments.departmentName,
        status: suggestionAssignments.status,
        round: suggestionAssignments.round,
        assignedAt: suggestionAssignments.assignedAt,
        deadlineAt: suggestionAssignments.deadlineAt,
        answeredAt: suggestionAssignments.answeredAt,
        adoption: suggestionAssignments.adoption,
      })
      .from(suggestionAssignments)
      .innerJoin(suggestions, eq(suggestions.seq, suggestionAssignments.suggestionSeq))
      .where(eq(suggestions.campaignId, campaign.id)),
    db
      .select({ suggestionSeq: suggestionRatings.suggestionSeq, round: suggestionRatings.round, rating: suggestionRatings.rating })
      .from(suggestionRatings)
      .innerJoin(suggestions, and(eq(suggestions.seq, suggestionRatings.suggestionSeq), eq(suggestions.campaignId, campaign.id))),
  ]);
  const { formula } = parseFormula(campaign.handlingFormula);
  return { scores: handlingScores(departments, assignments, ratings, formula, now), formula: formulaText(formula), closed: handlingPeriodClosed(campaign, now) };
}
