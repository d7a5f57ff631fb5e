import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ES module without types
import { buildBundle, buildCeremonyPage, buildCheckPage } from '../../scripts/client-bundles.mjs';
import { deviceBundleHashes } from '../../src/lib/assets';
import { sha256Hex } from '../../src/lib/crypto';
import { checkPageHtml } from '../../src/generated/check-page';
import { ceremonyPageHtml } from '../../src/generated/ceremony-page';

describe('the device bundles are reproducible', () => {
  it('a fresh build of the source gives, twice over, exactly the bytes whose hashes the server publishes', async () => {
    const published = Object.fromEntries(deviceBundleHashes().map((b) => [b.name, b.sha256]));
    for (const [name, entry] of [['ballot.js', 'src/hearing/client/ballot.client.ts'], ['survey.js', 'src/survey/client/survey.client.ts'], ['custodian.js', 'src/tally/client/custodian.client.ts']] as const) {
      const first = sha256Hex(await buildBundle(entry));
      expect(sha256Hex(await buildBundle(entry))).toBe(first);
      expect(first).toBe(published[name]);
    }
  }, 60_000);

  it('so is the ballot-check page: a fresh build, twice over, is byte for byte the page /check serves and whose hash is published', async () => {
    const first: string = (await buildCheckPage()).html;
    expect((await buildCheckPage()).html).toBe(first);
    expect(first).toBe(checkPageHtml);
    expect(sha256Hex(first)).toBe(deviceBundleHashes().find((b) => b.name === 'check.html')?.sha256);
  }, 60_000);

  it('so is the key ceremony page: a fresh build, twice over, is byte for byte what /ceremony serves and whose hash is published', async () => {
    const first: string = (await buildCeremonyPage()).html;
    expect((await buildCeremonyPage()).html).toBe(first);
    expect(first).toBe(ceremonyPageHtml);
    expect(sha256Hex(first)).toBe(deviceBundleHashes().find((b) => b.name === 'ceremony.html')?.sha256);
  }, 60_000);
});
