import { describe, expect, it } from 'vitest';
import { b64url } from '../../src/lib/bytes.core';
import { BODY_LIMIT } from '../../src/lib/input';
import {
  CIPHERTEXT_OVERHEAD,
  ciphertextProblem,
  encodeResponse,
  MAX_RESPONSE_BLOCKS,
  maxResponseBytes,
  readResponse,
  RESPONSE_BLOCK,
  responseBlockLimit,
} from '../../src/survey/response.core';
import { allQuestions, checkResponse, DEFAULT_SCALE, type Answers, type SurveyDefinition } from '../../src/survey/survey.core';
import { disciplineTemplate, socialSurveyTemplate } from '../../src/survey/templates.core';

const ID = '0b6f1c6e-8d3a-4f0e-9a57-3c2d1e0f9a8b';

/** The longest response a definition accepts: every text at its limit in 6-byte JSON characters, every multiple at its maximum. */
function longest(def: SurveyDefinition): Answers {
  const out: Answers = {};
  for (const q of allQuestions(def)) {
    const n = q.kind === 'rating' ? def.scale.length : (q.options ?? []).length;
    if (q.kind === 'text') out[q.id] = 'x' + '\u0001'.repeat((q.maxLength ?? 500) - 2) + 'x';
    else if (q.kind === 'multiple') out[q.id] = Array.from({ length: Math.min(q.maxChoices ?? n, n) }, (_, i) => n - i);
    else out[q.id] = n;
  }
  return out;
}

describe('K, the most blocks a survey response may take', () => {
  it('bounds the longest response each template allows, and is what the figures in the README say', () => {
    const social = socialSurveyTemplate().definition;
    const discipline = disciplineTemplate(Array.from({ length: 60 }, (_, i) => `部门${i + 1}`)).definition;
    for (const def of [social, discipline]) {
      const answers = longest(def);
      expect(checkResponse(def, answers).ok).toBe(true);
      const bytes = encodeResponse({ v: 1, survey: ID, answers });
      expect(bytes.length).toBeLessThanOrEqual(responseBlockLimit(def, ID) * RESPONSE_BLOCK);
      expect(new TextEncoder().encode(JSON.stringify({ v: 1, survey: ID, answers })).length).toBeLessThanOrEqual(maxResponseBytes(def, ID));
    }
    expect(responseBlockLimit(social, ID)).toBe(4);
    expect(responseBlockLimit(discipline, ID)).toBe(6);
  });

  it('is capped so that the largest ciphertext with its credential fits the 64 KiB body limit', () => {
    const def: SurveyDefinition = { intro: '', scale: DEFAULT_SCALE, sections: [{ id: 's1', title: '长', questions: Array.from({ length: 80 }, (_, i) => ({ id: `q${i + 1}`, kind: 'text' as const, title: `题${i}`, required: false, maxLength: 2000 })) }] };
    expect(responseBlockLimit(def, ID)).toBe(MAX_RESPONSE_BLOCKS);
    const ciphertext = b64url(new Uint8Array(CIPHERTEXT_OVERHEAD + MAX_RESPONSE_BLOCKS * RESPONSE_BLOCK));
    const body = JSON.stringify({ campaign: '2018', survey: ID, credential: { msg: 'm'.repeat(400), sig: 's'.repeat(1000) }, ciphertext, sealKey: 'k'.repeat(43) });
    expect(body.length).toBeLessThan(BODY_LIMIT);
    expect(ciphertextProblem(ciphertext, MAX_RESPONSE_BLOCKS)).toBeNull();
  });
});

describe('the one shape a sealed response may have', () => {
  const ok = b64url(new Uint8Array(CIPHERTEXT_OVERHEAD + RESPONSE_BLOCK).map((_, i) => (i * 37) & 255));

  it('takes 32 + 1024·k + 16 bytes in canonical base64url for 1 ≤ k ≤ K', () => {
    expect(ciphertextProblem(ok, 1)).toBeNull();
    expect(ciphertextProblem(b64url(new Uint8Array(CIPHERTEXT_OVERHEAD + 3 * RESPONSE_BLOCK)), 4)).toBeNull();
  });

  it('refuses padding, the standard alphabet, stray bits in the last character and other characters', () => {
    // K = 2 here, so the length pre-check does not answer first
    expect(ciphertextProblem(`${ok}==`, 2)).toMatch(/base64url/);
    expect(ciphertextProblem(`${ok}==`, 1)).not.toBeNull();
    const plusSlash = ok.replace(/-/g, '+').replace(/_/g, '/');
    expect(plusSlash).not.toBe(ok);
    expect(ciphertextProblem(plusSlash, 2)).toMatch(/base64url/);
    // 1072 bytes end in a one-byte group: its second character has four unused bits
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(ok.at(-1)!);
    expect(last & 15).toBe(0);
    expect(ciphertextProblem(ok.slice(0, -1) + alphabet[last | 1], 2)).toMatch(/base64url/);
    expect(ciphertextProblem(`${ok.slice(0, 100)}\n${ok.slice(100)}`, 2)).toMatch(/base64url/);
    expect(ciphertextProblem(12, 1)).not.toBeNull();
    expect(ciphertextProblem('', 1)).not.toBeNull();
  });

  it('refuses every other length', () => {
    expect(ciphertextProblem(b64url(new Uint8Array(0)), 1)).toBe('缺少加密答卷');
    for (const n of [1, CIPHERTEXT_OVERHEAD, CIPHERTEXT_OVERHEAD + RESPONSE_BLOCK - 1, CIPHERTEXT_OVERHEAD + RESPONSE_BLOCK + 1, CIPHERTEXT_OVERHEAD + 512, CIPHERTEXT_OVERHEAD + 2 * RESPONSE_BLOCK]) {
      expect(ciphertextProblem(b64url(new Uint8Array(n)), 1), String(n)).toBe('加密答卷长度不正确');
    }
    // far too long: refused on its length before anything is decoded
    expect(ciphertextProblem('A'.repeat(10_000_000), 1)).toBe('加密答卷长度不正确');
  });
});

describe('reading a decrypted response', () => {
  const def = socialSurveyTemplate().definition;
  const answers = { q1: 1, q3: 1, q4: 1, q5: 1, q6: 1, q7: 1, q8: 1, q9: 1, q10: 1, q11: 1, q12: 1, q13: 1, q14: 1, q15: 1 };

  it('gives the normalised answers of a response of this survey', () => {
    expect(readResponse(def, ID, encodeResponse({ v: 1, survey: ID, answers }))).toMatchObject({ q1: 1, q2: null, q17: null });
  });

  it('reads garbage, another survey’s response, a wrong version or answers outside the definition as invalid (null), never throws', () => {
    const bad = [
      null,
      new Uint8Array(RESPONSE_BLOCK).fill(0xff),
      new TextEncoder().encode('not json'),
      new TextEncoder().encode('null'),
      encodeResponse({ v: 1, survey: 'another', answers }),
      new TextEncoder().encode(JSON.stringify({ v: 2, survey: ID, answers })),
      encodeResponse({ v: 1, survey: ID, answers: { ...answers, q3: 99 } }),
      encodeResponse({ v: 1, survey: ID, answers: { ...answers, q99: 1 } }),
      encodeResponse({ v: 1, survey: ID, answers: { q1: 1 } }),
    ];
    for (const b of bad) expect(readResponse(def, ID, b)).toBeNull();
  });
});
