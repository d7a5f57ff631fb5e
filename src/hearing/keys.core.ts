/**
 * The keys a voting device may use, as published. A key's fingerprint is what a person compares
 * between the tablet, the venue poster, the closing sheet and the public page; the list's own
 * fingerprint lets one poster vouch for the whole list. A device refuses a venue or tally key that
 * is not on the list it was shown, so the server cannot hand one delegate a key of their own
 * without also changing a list that is printed and posted.
 */
import { canonicalJson, sha256Hex } from '../lib/crypto';
import { fromB64url } from '../lib/bytes.core';

/** The first 16 hex digits of a SHA-256, upper case, in four groups of four. */
const grouped = (hex: string) => hex.slice(0, 16).toUpperCase().replace(/(.{4})(?=.)/g, '$1 ');

/** 16 hex digits of SHA-256 over the key's decoded bytes, in four groups: `3F2A 9C01 …`. */
export function fingerprint(keyB64url: string, domain: 'venue' | 'tally' | 'survey'): string {
  return grouped(sha256Hex(new Uint8Array([...new TextEncoder().encode(`sanmin-${domain}-key-fp-v1:`), ...fromB64url(keyB64url)])));
}

export interface PublishedKeys {
  campaign: string;
  tally: { group: number; publicKey: string; fingerprint: string }[];
  venues: { group: number; venue: string; publicKey: string; fingerprint: string; state: string }[];
  /** Each open or closed questionnaire's sealing key: the survey device refuses any other. */
  surveys: { survey: string; title: string; publicKey: string; fingerprint: string }[];
  bundles: { name: string; sha256: string }[];
}

export function publishedKeys(input: {
  campaign: string;
  tally: { group: number; publicKey: string }[];
  venues: { group: number; venue: string; publicKey: string; state: string }[];
  surveys?: { survey: string; title: string; publicKey: string }[];
  bundles: { name: string; sha256: string }[];
}): PublishedKeys & { listFingerprint: string } {
  const list: PublishedKeys = {
    campaign: input.campaign,
    tally: [...input.tally].sort((a, b) => a.group - b.group).map((t) => ({ ...t, fingerprint: fingerprint(t.publicKey, 'tally') })),
    venues: [...input.venues].sort((a, b) => a.group - b.group || a.venue.localeCompare(b.venue, 'zh')).map((v) => ({ ...v, fingerprint: fingerprint(v.publicKey, 'venue') })),
    surveys: [...(input.surveys ?? [])].sort((a, b) => a.survey.localeCompare(b.survey)).map((q) => ({ ...q, fingerprint: fingerprint(q.publicKey, 'survey') })),
    bundles: [...input.bundles].sort((a, b) => a.name.localeCompare(b.name)),
  };
  // the list's fingerprint covers keys and bundles, not the sessions' open/closed state, which changes during the day
  const stable = { ...list, venues: list.venues.map(({ state: _state, ...v }) => v) };
  return { ...list, listFingerprint: grouped(sha256Hex(canonicalJson(stable))) };
}

/** What the survey device checks before sealing: the questionnaire's key is the published one. */
export function surveyKeyOnList(list: Pick<PublishedKeys, 'surveys'>, survey: string, sealKey: string): { ok: true } | { ok: false; reason: string } {
  if (!(list.surveys ?? []).some((q) => q.survey === survey && q.publicKey === sealKey)) return { ok: false, reason: '问卷加密公钥不在公布的密钥清单上,设备拒绝使用:请联系监督员' };
  return { ok: true };
}

/** What the device checks before blinding or sealing: both keys are on the published list. */
export function keysOnList(list: Pick<PublishedKeys, 'tally' | 'venues'>, group: number, venueKey: string, tallyKey: string): { ok: true } | { ok: false; reason: string } {
  if (!list.venues.some((v) => v.group === group && v.publicKey === venueKey)) return { ok: false, reason: '会场签名密钥不在公布的密钥清单上,设备拒绝使用:请立即联系监督员' };
  if (!list.tally.some((t) => t.group === group && t.publicKey === tallyKey)) return { ok: false, reason: '计票公钥不在公布的密钥清单上,设备拒绝使用:请立即联系监督员' };
  return { ok: true };
}
