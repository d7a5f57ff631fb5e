import { applyD1Migrations } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { beforeAll, describe, expect, it } from 'vitest';
import { getCampaign } from '../../src/campaigns/campaigns.service';
import { schema, type Db } from '../../src/db/client';
import { surveys } from '../../src/db/schema';
import { encodeResponse, responseInfo } from '../../src/survey/response.core';
import { getSurvey, respondOpen } from '../../src/survey/survey.service';
import { disciplineTemplate } from '../../src/survey/templates.core';
import { sealWithSeed } from '../../src/tally/device-seal.core';
import { generateTallyKeyPair } from '../../src/tally/seal.core';

const e = env as unknown as { DB: D1Database; TEST_MIGRATIONS: Parameters<typeof applyD1Migrations>[1] };
const worker = (exports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;

beforeAll(async () => {
  await applyD1Migrations(e.DB, e.TEST_MIGRATIONS);
});

describe('a device-sealed survey response on the Worker over D1', () => {
  it('is stored and counted once: the batch that tells the first delivery from its retry runs on D1 as on libSQL', async () => {
    expect((await worker.fetch(new Request('http://sanmin.test/c/2018'))).status).toBe(200); // seeds 2018
    const db = drizzle(e.DB, { schema }) as unknown as Db;
    const campaign = await getCampaign(db, '2018');
    const { publicKey } = await generateTallyKeyPair();
    const t = disciplineTemplate([]);
    const id = crypto.randomUUID();
    await db.insert(surveys).values({ id, campaignId: campaign.id, kind: 'discipline', access: 'open', title: t.title, definition: JSON.stringify(t.definition), state: 'open', sealKey: publicKey, createdAt: Date.now() });
    const survey = await getSurvey(db, campaign, id);
    const ciphertext = await sealWithSeed(publicKey, responseInfo('2018', id), encodeResponse({ v: 1, survey: id, answers: { q1: 1, q2: null, q4: null } }), crypto.getRandomValues(new Uint8Array(32)));
    const first = await respondOpen(db, campaign, survey, ciphertext, publicKey);
    const again = await respondOpen(db, campaign, survey, ciphertext, publicKey);
    expect([first.status, again.status]).toEqual(['accepted', 'duplicate']);
    expect(again.receipt).toBe(first.receipt);
    const [row] = await db.select({ responses: surveys.responses }).from(surveys).where(eq(surveys.id, id));
    expect(row!.responses).toBe(1);
  });
});
