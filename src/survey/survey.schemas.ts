/** Input shapes of the survey API and the builder's JSON definition. */
import { z } from 'zod';

export const scaleShape = z.object({ label: z.string().max(20), valid: z.boolean(), satisfied: z.boolean() });
export const questionShape = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,20}$/, '题目编号只能用字母、数字、下划线和连字符(1–20 个)'),
  kind: z.enum(['single', 'multiple', 'rating', 'text']),
  title: z.string().max(200),
  required: z.boolean(),
  options: z.array(z.string().max(60)).max(60).optional(),
  minChoices: z.number().int().optional(),
  maxChoices: z.number().int().optional(),
  maxLength: z.number().int().optional(),
});
export const definitionShape = z.object({
  intro: z.string().max(2000),
  scale: z.array(scaleShape).min(2).max(7),
  sections: z.array(z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,20}$/), title: z.string().max(60), note: z.string().max(500).optional(), questions: z.array(questionShape).max(80) })).max(20),
});

export const codeBody = z.object({ code: z.string().min(4).max(40) });
export const redeemBody = z.object({ code: z.string().min(4).max(40), blindedMsg: z.string().min(16).max(2000) });

/**
 * What a device posts: the ciphertext it sealed and the key it sealed to, never the answers.
 * Strict: a body that still carries `answers` (an old page) is refused unread, not stored.
 */
const sealedFields = {
  campaign: z.string().min(1).max(40),
  survey: z.string().min(1).max(64),
  ciphertext: z.string(),
  sealKey: z.string().min(1).max(100),
};
export const respondBody = z.object({ ...sealedFields, credential: z.object({ msg: z.string().min(16).max(400), sig: z.string().min(16).max(1000) }) }).strict();
export const respondOpenBody = z.object(sealedFields).strict();
