// Bundled by bench/device-seal.ts for Chromium: what a voting tablet computes for one ballot, timed
// in the page. The venue's blind signature comes from the bench over an exposed function and is
// not counted (on the day it is a network round trip to the server).
import { DhkemX25519HkdfSha256 as PortableX25519 } from '@hpke/dhkem-x25519';
import { DhkemX25519HkdfSha256 as WebCryptoX25519 } from '@hpke/core';
import { blindRequest, finalizeCredential } from '../src/hearing/credential.core';
import { sealOnDevice, useKem } from '../src/tally/device-seal.core';

export interface DeviceRound {
  blindMs: number;
  finalizeMs: number;
  sealMs: number;
  totalMs: number;
  ciphertext: string;
  receipt: string;
}

declare global {
  interface Window {
    benchSign(blindedMsg: string): Promise<string>;
    deviceRound(venueKey: string, tallyKey: string, departments: number): Promise<DeviceRound>;
    deviceKem(kind: 'webcrypto' | 'portable'): void;
  }
}

window.deviceKem = (kind) => useKem(kind === 'portable' ? new PortableX25519() : new WebCryptoX25519());

window.deviceRound = async (venueKey, tallyKey, departments) => {
  const t0 = performance.now();
  const req = await blindRequest(venueKey);
  const t1 = performance.now();
  const blindSig = await window.benchSign(req.blindedMsg); // the server's part, not timed
  const t2 = performance.now();
  const credential = await finalizeCredential(venueKey, req, blindSig);
  const t3 = performance.now();
  const answers = Array.from({ length: departments }, (_, i) => 1 + (i % 4));
  const sealed = await sealOnDevice(tallyKey, { v: 1, campaign: '2018', group: 1, answers });
  const t4 = performance.now();
  if (!credential.sig || !sealed.receipt) throw new Error('no credential or receipt');
  return { blindMs: t1 - t0, finalizeMs: t3 - t2, sealMs: t4 - t3, totalMs: t1 - t0 + (t4 - t2), ciphertext: sealed.ciphertext, receipt: sealed.receipt };
};
