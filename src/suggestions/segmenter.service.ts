/**
 * Chinese word segmentation for routing: jieba (jieba-rs compiled to wasm, `jieba-wasm`), the
 * same wasm and the same dictionary on Node and in workerd, so both runtimes cut a text into
 * the same words and route it the same way.
 *
 * The wasm must be instantiated once per process or isolate. The Worker entry passes the
 * module wrangler compiled (`installSegmenter(wasm)`); on Node it is read from node_modules on
 * first use. The user dictionary (the city's districts, streets and department names, and the
 * residents' words of `seed/2018/vocabulary.json`) is added right after, so words such as
 * 沙子口 or 占道经营 stay whole.
 */
import { add_word, cut_for_search, initSync } from 'jieba-wasm/web';

let installed = false;
let userWords: readonly string[] = [];

/** Instantiates jieba from its wasm (a compiled module on Workers, bytes on Node). Idempotent. */
export function installSegmenter(wasm: WebAssembly.Module | BufferSource): void {
  if (installed) return;
  initSync({ module: wasm });
  installed = true;
  for (const w of userWords) add_word(w, USER_WORD_FREQ);
}

// High enough that a listed word beats the dictionary's splits of it, as jieba's own user dictionaries do.
const USER_WORD_FREQ = 50_000;

/** Adds words to the dictionary (now if jieba is running, else as soon as it is installed). */
export function addUserWords(words: readonly string[]): void {
  const fresh = words.filter((w) => [...w].length >= 2);
  userWords = [...userWords, ...fresh];
  if (installed) for (const w of fresh) add_word(w, USER_WORD_FREQ);
}

function ensureInstalled(): void {
  if (installed) return;
  // Node only: the Worker entry installs the module wrangler bundled before any request.
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.('node:fs') as typeof import('node:fs') | undefined;
  const mod = proc?.getBuiltinModule?.('node:module') as typeof import('node:module') | undefined;
  if (!fs || !mod) throw new Error('jieba is not installed: call installSegmenter(wasm) at start');
  const js = mod.createRequire(import.meta.url).resolve('jieba-wasm/web');
  installSegmenter(fs.readFileSync(js.replace(/jieba_rs_wasm\.js$/, 'jieba_rs_wasm_bg.wasm')));
}

/**
 * Words of a text in jieba's search mode (long words and also their dictionary sub-words:
 * 城市管理局 gives 城市, 管理, 管理局 and 城市管理局), with the HMM for unknown words.
 */
export function segment(text: string): string[] {
  ensureInstalled();
  return cut_for_search(text, true);
}
