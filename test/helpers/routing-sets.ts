import { readFileSync, existsSync } from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import { parseLabelled, type DepartmentProfile, type LabelledSuggestion } from '../../src/suggestions/routing.core';

/** The seeded departments as routing profiles. */
export const seedProfiles = (): DepartmentProfile[] =>
  (JSON.parse(readFileSync('seed/2018/departments.json', 'utf8')) as { name: string; duties: string; goals: string[]; report: string }[]).map((d) => ({
    name: d.name,
    duties: d.duties,
    goals: d.goals.join('\n'),
    report: d.report,
  }));

/**
 * The evaluation split of the written set, fixed once before any result was looked at (2 Dec
 * 2026): an item is in it when the first byte of SHA-256 over its UTF-8 `title + "\t" + body` is
 * below 0x55 (85/256, about a third). Nothing is tuned on these items.
 */
export function isEvaluationItem(x: { title: string; body: string }): boolean {
  return sha256(new TextEncoder().encode(`${x.title}\t${x.body}`))[0]! < 0x55;
}

/** The project's old set (167 items written with the router's authors). */
export const oldSet = (): LabelledSuggestion[] => parseLabelled(readFileSync('test/fixtures/routing-labelled.tsv', 'utf8'));

/** The set written apart from the router (test/fixtures/routing-written.tsv), empty until it is there. */
export const writtenSet = (): LabelledSuggestion[] => (existsSync('test/fixtures/routing-written.tsv') ? parseLabelled(readFileSync('test/fixtures/routing-written.tsv', 'utf8')) : []);
