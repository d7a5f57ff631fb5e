// npm run unseal -- --open <sealed-share.json> (--passphrase-file <f> | --key-file <f>) --out <share.json>
//   A custodian opens their sealed share on their own machine and checks its published fingerprint.
// npm run unseal -- --commitment <commitment.json> --ballots <ballots.json> --share <file> [--passphrase-file <f> | --key-file <f>] … --out <result.json> [--audit-out <audit.json>]
//   Unsealing with the custodians, offline: each --share is a sealed share (followed by its
//   custodian's --passphrase-file or --key-file), an opened share file, or a file with the printed
//   code. Rebuilds the key from k shares, checks it against the published public key, checks the
//   ciphertexts against the commitment (each against its receipt, count, root), decrypts, tallies,
//   and writes the public edition (decrypted ballots in random order, the tally; no key: this is
//   what is uploaded) and, with --audit-out, the audit edition with the key (kept by the custodians).
// npm run unseal -- --commitment <survey-commitment.json> --responses <responses.json> --share <file> … --out <result.json> [--audit-out <audit.json>]
//   A survey, the same way: its commitment (GET …/surveys/{id}/tally/commitment) and committed
//   responses (…/tally/responses); decrypts, reads each response against the committed
//   definition, tallies with tallySurvey; the public edition is posted to …/tally/result.
// Exit 0 done; 1 refused (the reason in Chinese, with a code); 2 usage.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { CeremonyError, openSealedShare, type SealedShareFile } from '../tally/ceremony.core';
import type { GroupCommitment } from '../tally/commitment.core';
import { SeatKeyError, seatKeyFromFile, seatKeyFromPassphrase } from '../tally/seat-key.core';
import { UnsealError, unsealWithShares, type BallotsFile } from '../tally/unseal.core';
import { unsealSurveyWithShares, type SurveyCommitment, type SurveyResponsesFile } from '../survey/survey-unseal.core';

const args = process.argv.slice(2).filter((a) => a !== '--');
const usage =
  'usage: npm run unseal -- --open <sealed-share.json> (--passphrase-file <f> | --key-file <f>) --out <share.json>\n' +
  '       npm run unseal -- --commitment <commitment.json> --ballots <ballots.json> --share <file> [--passphrase-file <f> | --key-file <f>] … --out <result.json> [--audit-out <audit.json>]\n' +
  '       npm run unseal -- --commitment <survey-commitment.json> --responses <responses.json> --share <file> [--passphrase-file <f> | --key-file <f>] … --out <result.json> [--audit-out <audit.json>]';

interface ShareArg {
  path: string;
  passphraseFile?: string;
  keyFile?: string;
}
const single: Record<string, string> = {};
const shares: ShareArg[] = [];
let open: ShareArg | undefined;
for (let i = 0; i < args.length; i++) {
  const flag = args[i]!;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) {
    console.error(usage);
    process.exit(2);
  }
  i++;
  if (flag === '--share') shares.push({ path: value });
  else if (flag === '--open') open = { path: value };
  else if (flag === '--passphrase-file' || flag === '--key-file') {
    const target = shares.at(-1) ?? open;
    if (!target || target.passphraseFile || target.keyFile) {
      console.error(`${flag} must follow the --share or --open it opens, once\n${usage}`);
      process.exit(2);
    }
    if (flag === '--passphrase-file') target.passphraseFile = value;
    else target.keyFile = value;
  } else if (['--commitment', '--ballots', '--responses', '--out', '--audit-out'].includes(flag)) single[flag] = value;
  else {
    console.error(usage);
    process.exit(2);
  }
}

const readText = (path: string) => readFileSync(path, 'utf8');

/** A share as text: an opened share file or printed code as is; a sealed share opened here with its custodian's key. */
async function shareText(s: ShareArg): Promise<string> {
  const text = readText(s.path);
  let parsed: { kind?: string } | undefined;
  try {
    parsed = JSON.parse(text) as { kind?: string };
  } catch {
    parsed = undefined;
  }
  if (parsed?.kind !== 'sanmin-tally-sealed-share') return text;
  const sealed = parsed as SealedShareFile;
  if (!s.passphraseFile && !s.keyFile) throw new UnsealError('SEAT_KEY_MISSING', `${s.path} 是封存分片:请在它后面给出该保管人的 --passphrase-file 或 --key-file`);
  const seatKey = s.keyFile
    ? await seatKeyFromFile(readText(s.keyFile), sealed.campaign, sealed.group, sealed.seat)
    : await seatKeyFromPassphrase(readText(s.passphraseFile!).replace(/\r?\n$/, ''), sealed.campaign, sealed.group, sealed.seat);
  try {
    return JSON.stringify(await openSealedShare(sealed, seatKey.privateKey));
  } finally {
    seatKey.privateKey.fill(0);
  }
}

function refuseExisting(path: string) {
  if (existsSync(path)) throw new UnsealError('OUT_EXISTS', `${path} 已存在,不会覆盖`);
}

try {
  const out = single['--out'];
  if (open) {
    if (!out || shares.length || single['--commitment'] || single['--ballots'] || single['--responses']) {
      console.error(usage);
      process.exit(2);
    }
    refuseExisting(out);
    const text = await shareText(open);
    writeFileSync(out, JSON.stringify(JSON.parse(text), null, 2) + '\n', { mode: 0o600 });
    const f = JSON.parse(text) as { seat: number; fingerprint: string };
    console.log(JSON.stringify({ seat: f.seat, fingerprint: f.fingerprint, share: out }));
  } else {
    const contents = single['--ballots'] ?? single['--responses'];
    if (!out || !single['--commitment'] || !contents || (single['--ballots'] && single['--responses']) || shares.length === 0) {
      console.error(usage);
      process.exit(2);
    }
    refuseExisting(out);
    if (single['--audit-out']) refuseExisting(single['--audit-out']);
    const t0 = performance.now();
    const commitment = JSON.parse(readText(single['--commitment'])) as { kind?: string };
    const survey = commitment.kind === 'sanmin-survey-commitment';
    if (survey !== Boolean(single['--responses'])) throw new UnsealError('USAGE', survey ? '这是问卷承诺文件:请用 --responses 给出已承诺答卷文件' : '这是评议组承诺文件:请用 --ballots 给出已承诺选票文件');
    const texts: string[] = [];
    for (const s of shares) texts.push(await shareText(s));
    const t1 = performance.now();
    const unsealed = survey
      ? await unsealSurveyWithShares(commitment as SurveyCommitment, JSON.parse(readText(contents)) as SurveyResponsesFile, texts)
      : await unsealWithShares(commitment as GroupCommitment, JSON.parse(readText(contents)) as BallotsFile, texts);
    const { result, auditEdition, seats } = unsealed;
    const unsealMs = performance.now() - t1;
    writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
    if (single['--audit-out']) writeFileSync(single['--audit-out'], JSON.stringify(auditEdition, null, 2) + '\n', { mode: 0o600 });
    const counted = 'group' in result ? { group: result.group, ballots: result.ballots.length } : { survey: result.survey, responses: result.answers.length, invalid: result.tally.invalid };
    console.log(JSON.stringify({ ...counted, seats, result: out, auditEdition: single['--audit-out'] ?? null, unsealMs: Math.round(unsealMs), totalMs: Math.round(performance.now() - t0) }));
  }
} catch (err) {
  if (err instanceof UnsealError || err instanceof CeremonyError || err instanceof SeatKeyError) {
    console.error(`${err.code}: ${err.message}`);
    process.exit(1);
  }
  console.error(`UNSEAL_FAILED: ${(err as Error).message}`);
  process.exit(1);
}
