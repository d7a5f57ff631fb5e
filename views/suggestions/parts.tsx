import { RATING_LABELS } from '../components/vocabulary';
import type { Campaign } from '../components/models';
import { fmtDate } from './public';

/* The suggestion staff pages' shared view models, navigation and 回访 card. */
/* The view model: the fields this page shows. */
export type Adoption = 'none' | 'next_year_plan' | 'work_report';
export type AssignmentStatus = 'dispatched' | 'in_progress' | 'answered' | 'returned' | 'reopened';
export type SuggestionStatus = 'dispatched' | 'in_progress' | 'answered' | 'received' | 'published' | 'merged' | 'not_accepted';
export interface RoutingReason {
  department: string;
  score: number;
  phrases: string[];
  words: string[];
  rules: string[];
  neighbours: number;
}
/** A deadline as the route decided to show it (days late, null while on time; the handler's reminder). */
export interface DeadlineMarks {
  lateDays: number | null;
  reminder: 'day10' | 'day14' | null;
}
export interface Assignment {
  marks: DeadlineMarks;
  id: string;
  status: 'dispatched' | 'in_progress' | 'answered' | 'returned' | 'reopened';
  adoption: 'none' | 'next_year_plan' | 'work_report';
  departmentName: string;
  answer: string | null;
  returnReason: string | null;
  assignedAt: number;
  deadlineAt: number;
  round: number;
}
export interface Suggestion {
  marks: DeadlineMarks;
  seq: number;
  code: string;
  status: 'dispatched' | 'in_progress' | 'answered' | 'received' | 'published' | 'merged' | 'not_accepted';
  createdAt: number;
  authorName: string;
  organisation: string | null;
  theme: string;
  area: string;
  title: string;
  body: string;
  targetDepartment: string | null;
  duplicateOf: number | null;
  rejectReason: string | null;
  adoption: 'none' | 'next_year_plan' | 'work_report';
  excellence: 'none' | 'shortlisted' | 'selected';
  closedAt: number | null;
  organiserReview: boolean;
  dispatchBy: number;
}

export const base = (c: Campaign) => `/staff/c/${c.code}/suggestions`;

export function StaffNav({ campaign }: { campaign: Campaign }) {
  const b = base(campaign);
  return (
    <nav aria-label="建议办理" class="row">
      <a href={b}>建议分派</a>
      <a href={`${b}/new`}>录入纸质建议</a>
      <a href={`${b}/import`}>批量导入</a>
      <a href={`${b}/excellent`}>优秀建议评选</a>
      <a href={`${b}/stats`}>统计</a>
      <a href={`${b}/templates`}>答复模板</a>
      <a href={`/staff/c/${campaign.code}/notifications`}>通知发件箱</a>
      <a href={`/c/${campaign.code}/suggestions`}>公开栏</a>
    </nav>
  );
}

/** Organisers: per-theme answer templates that handlers start an answer from. */

export interface RatingView {
  round: number;
  rating: keyof typeof RATING_LABELS;
  comment: string;
  at: number;
}

/** 回访 ratings, per handling round (comments already masked for departments). */
export function RatingsCard({ ratings }: { ratings: readonly RatingView[] }) {
  if (!ratings.length) return null;
  return (
    <div class="card">
      <h2>市民评价(回访)</h2>
      <ul>
        {ratings.map((r) => (
          <li data-testid="rating">
            第 {r.round + 1} 次答复:<strong>{RATING_LABELS[r.rating]}</strong>({fmtDate(r.at)}){r.comment && <>:{r.comment}</>}
          </li>
        ))}
      </ul>
    </div>
  );
}
