import { sql } from 'drizzle-orm';
import { integer, primaryKey, sqliteTable, text, uniqueIndex, index } from 'drizzle-orm/sqlite-core';
import { CAMPAIGN_STATUSES, VENUE_KINDS, MATERIAL_KINDS, SUGGESTION_TERM_KINDS, type CampaignStatus, type VenueKind, type MaterialKind } from '../../campaigns/states.core';
export { CAMPAIGN_STATUSES, VENUE_KINDS, MATERIAL_KINDS, SUGGESTION_TERM_KINDS, type CampaignStatus, type VenueKind, type MaterialKind };

/** One year's event. Several years live side by side; a new one is copied from the last. */
export const campaigns = sqliteTable('campaigns', {
  id: text('id').primaryKey(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  year: integer('year').notNull(),
  status: text('status', { enum: CAMPAIGN_STATUSES }).notNull().default('draft'),
  minutesPerDepartment: integer('minutes_per_department').notNull().default(10),
  ballotsPerGroup: integer('ballots_per_group').notNull(),
  copiedFromId: text('copied_from_id'),
  // optimistic locks of the two base quota tables (a table is saved whole: its columns must add up)
  quotaMainVersion: integer('quota_main_version').notNull().default(1),
  quotaSubVersion: integer('quota_sub_version').notNull().default(1),
  /** End of the suggestion handling period (ms): departments' handling scores are public from then. */
  handlingClosesAt: integer('handling_closes_at'),
  /** Weights of the handling score, JSON {onTime, satisfaction, notReopened} summing to 100; null: the default. */
  handlingFormula: text('handling_formula'),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull().default(sql`(unixepoch() * 1000)`),
});

/** A reporting group: one session of about two hours in which its departments report in order. */
export const groups = sqliteTable(
  'groups',
  {
    id: text('id').primaryKey(),
    campaignId: text('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    no: integer('no').notNull(),
    title: text('title').notNull(),
    date: text('date').notNull(), // YYYY-MM-DD, local time of the city
    startTime: text('start_time').notNull(), // HH:MM
    version: integer('version').notNull().default(1), // optimistic lock: every form edit requires and bumps it
  },
  (t) => [uniqueIndex('groups_campaign_no').on(t.campaignId, t.no)],
);

/** Departments; group_id is null for the internal-only ones (研究室, 人防办). */
export const departments = sqliteTable(
  'departments',
  {
    id: text('id').primaryKey(),
    campaignId: text('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    groupId: text('group_id').references(() => groups.id),
    position: integer('position').notNull(), // report order within the group, 1-based
    name: text('name').notNull(),
    internalOnly: integer('internal_only', { mode: 'boolean' }).notNull().default(false),
    duties: text('duties').notNull().default(''),
    goals: text('goals').notNull().default(''), // one goal per line
    report: text('report').notNull().default(''),
    version: integer('version').notNull().default(1), // optimistic lock: every form edit requires and bumps it
  },
  (t) => [
    uniqueIndex('departments_campaign_name').on(t.campaignId, t.name),
    // agenda pages read a group's departments in report order
    index('departments_group_position').on(t.groupId, t.position),
  ],
);

/** Published materials beyond the text fields: explanatory boards (images) and PDF links. */
export const departmentMaterials = sqliteTable(
  'department_materials',
  {
    id: text('id').primaryKey(),
    departmentId: text('department_id').notNull().references(() => departments.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: MATERIAL_KINDS }).notNull(),
    title: text('title').notNull(),
    url: text('url').notNull(),
    position: integer('position').notNull(),
  },
  (t) => [index('materials_department').on(t.departmentId, t.position)],
);

export const venues = sqliteTable(
  'venues',
  {
    id: text('id').primaryKey(),
    campaignId: text('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    kind: text('kind', { enum: VENUE_KINDS }).notNull(),
    position: integer('position').notNull(),
    version: integer('version').notNull().default(1), // optimistic lock: every form edit requires and bumps it
  },
  (t) => [uniqueIndex('venues_campaign_name').on(t.campaignId, t.name)],
);

/** Seats of a venue for one group (a venue may seat a different number per group). */
export const venueSeats = sqliteTable(
  'venue_seats',
  {
    venueId: text('venue_id').notNull().references(() => venues.id, { onDelete: 'cascade' }),
    groupNo: integer('group_no').notNull(),
    seats: integer('seats').notNull(),
  },
  (t) => [primaryKey({ columns: [t.venueId, t.groupNo] })],
);

/** Delegate categories of a quota table; the main venue and the sub-venues have different lists. */
export const quotaCategories = sqliteTable(
  'quota_categories',
  {
    id: text('id').primaryKey(),
    campaignId: text('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    venueKind: text('venue_kind', { enum: VENUE_KINDS }).notNull(),
    name: text('name').notNull(),
    position: integer('position').notNull(),
  },
  (t) => [uniqueIndex('quota_categories_name').on(t.campaignId, t.venueKind, t.name)],
);

/** Base quota table: seats of a category per group for the reference venue size (main 100, sub 210). */
export const quotaBase = sqliteTable(
  'quota_base',
  {
    categoryId: text('category_id').notNull().references(() => quotaCategories.id, { onDelete: 'cascade' }),
    groupNo: integer('group_no').notNull(),
    seats: integer('seats').notNull(),
  },
  (t) => [primaryKey({ columns: [t.categoryId, t.groupNo] })],
);

/**
 * The ballot scale is campaign data. weight null = excluded from the base (不了解);
 * satisfied marks the options counted in the satisfaction rate.
 */
export const scaleOptions = sqliteTable(
  'scale_options',
  {
    id: text('id').primaryKey(),
    campaignId: text('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    label: text('label').notNull(),
    weight: integer('weight'),
    valid: integer('valid', { mode: 'boolean' }).notNull(),
    satisfied: integer('satisfied', { mode: 'boolean' }).notNull(),
  },
  (t) => [uniqueIndex('scale_options_label').on(t.campaignId, t.label)],
);

/** Suggestion themes (创新/协调/...) and areas (创新引领/...), ordered per campaign. */
export const suggestionTerms = sqliteTable(
  'suggestion_terms',
  {
    id: text('id').primaryKey(),
    campaignId: text('campaign_id').notNull().references(() => campaigns.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: SUGGESTION_TERM_KINDS }).notNull(),
    name: text('name').notNull(),
    position: integer('position').notNull(),
  },
  (t) => [uniqueIndex('suggestion_terms_name').on(t.campaignId, t.kind, t.name)],
);
