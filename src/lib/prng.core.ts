/**
 * mulberry32: the one small seeded generator for test data, bench lists and rehearsals, so the
 * same seed gives the same sequence everywhere (tests pin results drawn from it). Not for keys,
 * tokens or the draw: those use crypto.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed from a text seed (FNV-1a style over UTF-16 code units), as `--seed <s>` takes. */
export const seedOfText = (text: string): number =>
  [...text].reduce((h, ch) => Math.imul(h ^ ch.charCodeAt(0), 2654435761) >>> 0, 2166136261);

/** mulberry32 seeded from a text seed. */
export const mulberry32FromText = (text: string) => mulberry32(seedOfText(text));
