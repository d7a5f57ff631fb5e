/**
 * The check QR: the compact text of a ballot check record (src/tally/check-text.core.ts) as an
 * SVG, for the tablet to show when a delegate checks a ballot instead of casting it. A phone's QR
 * reader gives the text, which the /check page's paste box and `npm run verify -- --check` accept.
 * The QR carries no URL on purpose: a dishonest device would point it at a check page of its own
 * that says 验证通过 whatever it sealed; the delegate opens the published /check page (or a copy
 * of it whose SHA-256 matches the published one).
 */
import { encode, renderSVG } from 'uqr';
import type { BallotCheck } from '../tally/device-seal.core';
import { compactCheckText } from '../tally/check-text.core';

// M (15% recovery) tolerates glare and a screen's moiré; the 4-module quiet zone is the standard's
const QR_OPTIONS = { ecc: 'M', border: 4 } as const;

/** The text the check QR carries. */
export const checkQrText = (record: BallotCheck): string => compactCheckText(record);

/** Its QR version (1–40) and width in modules, without the quiet zone. */
export function checkQrSize(record: BallotCheck): { version: number; modules: number } {
  const qr = encode(checkQrText(record), { ...QR_OPTIONS, border: 0 });
  return { version: qr.version, modules: qr.size };
}

/** The check QR as SVG markup (inline it; the CSP allows no other image source but data:). */
export function checkQrSvg(record: BallotCheck): string {
  return renderSVG(checkQrText(record), QR_OPTIONS);
}
