import { sha256Hex } from './crypto';
import { ballotClientJs } from '../generated/ballot-client';
import { surveyClientJs } from '../generated/survey-client';
import { custodianClientJs } from '../generated/custodian-client';
import { checkPageHtml } from '../generated/check-page';
import { ceremonyPageHtml } from '../generated/ceremony-page';

/** The device bundles exactly as /static serves them (src/lib/assets.ts serves these same strings). */
export const DEVICE_BUNDLES = { 'ballot.js': ballotClientJs, 'survey.js': surveyClientJs, 'custodian.js': custodianClientJs } as const;

/**
 * SHA-256 of each device bundle and of the ballot-check page (`check.html`, served at /check)
 * exactly as served: published so an observer can compare it with a build of the published source,
 * and a delegate a saved copy of the check page with the published one.
 */
let bundleHashes: { name: string; sha256: string }[] | undefined;
export const deviceBundleHashes = () =>
  (bundleHashes ??= [...(['ballot.js', 'survey.js', 'custodian.js'] as const).map((name) => ({ name, sha256: sha256Hex(DEVICE_BUNDLES[name]) })), { name: 'check.html', sha256: sha256Hex(checkPageHtml) }, { name: 'ceremony.html', sha256: sha256Hex(ceremonyPageHtml) }]);

/** Where each published hash's bytes are served (what an observer downloads to compare). */
export const servedAt = (name: string) => (name === 'check.html' ? '/check' : name === 'ceremony.html' ? '/ceremony' : `/static/${name}`);

