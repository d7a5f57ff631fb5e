import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { AppError } from './errors';
import { URL_CONTROL_CHARS, hasControlChars, normaliseText } from './text';

/**
 * Everything a request brings in passes here: the size of its body, its content type, its
 * query string, and the text of every form field and JSON string. Routes read bodies only
 * through `readForm`, `readFormAll` and `readJson`, so a malformed body, a wrong type or an
 * invisible control character is refused once, the same way, with a Chinese message.
 */

/** Ordinary forms and JSON APIs. */
export const BODY_LIMIT = 64 * 1024;
/** CSV uploads (2 MB files, plus the multipart envelope and the other fields). */
export const UPLOAD_LIMIT = 3 * 1024 * 1024;
/** The routes that take a file upload, and only those, get the larger limit. */
const UPLOAD_ROUTES = [/^\/staff\/c\/[^/]+\/candidates\/import$/, /^\/staff\/c\/[^/]+\/suggestions\/import$/];

/** A group's unsealed result as the custodians post it: the public edition with every ciphertext (about 1 KB a ballot). */
export const RESULT_LIMIT = 16 * 1024 * 1024;
const RESULT_ROUTES = [
  /^\/api\/campaigns\/[^/]+\/groups\/\d+\/tally\/result$/,
  /^\/staff\/c\/[^/]+\/tally\/\d+\/result$/,
  // a survey's posted result: every decrypted response, free text included
  /^\/api\/campaigns\/[^/]+\/surveys\/[^/]+\/tally\/result$/,
  /^\/staff\/c\/[^/]+\/surveys\/[^/]+\/tally\/result$/,
];

export function bodyLimitFor(path: string): number {
  if (RESULT_ROUTES.some((r) => r.test(path))) return RESULT_LIMIT;
  return UPLOAD_ROUTES.some((r) => r.test(path)) ? UPLOAD_LIMIT : BODY_LIMIT;
}

const tooLarge = (limit: number) =>
  new AppError(413, 'PAYLOAD_TOO_LARGE', `提交的内容过大(上限 ${limit >= 1024 * 1024 ? `${limit / 1024 / 1024} MB` : `${limit / 1024} KB`}),请精简后重新提交`);

const badCharacters = (field: string) =>
  new AppError(422, 'BAD_CHARACTERS', '提交的内容含有不可见的控制字符,请删除后重新输入', { [field || '_form']: '含有不可见的控制字符,请删除后重新输入' });

/**
 * One field's text as it is stored: Unicode NFC, bidi controls removed (they are invisible and
 * only ever reorder what a reader sees), refused if it holds NUL or another control character.
 * Passwords keep their exact code points (the hash is over what the person typed).
 */
export function cleanText(value: string, field = ''): string {
  if (hasControlChars(value)) throw badCharacters(field);
  if (/password/i.test(field)) return value;
  return normaliseText(value);
}

/** The media type of a Content-Type header without its parameters, lower-cased. */
function mediaTypeOf(header: string | null): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/** `application/json`, optionally with `charset=utf-8` (JSON is UTF-8; any other charset is refused). */
export function isJsonType(header: string | null): boolean {
  if (mediaTypeOf(header) !== 'application/json') return false;
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(header ?? '')?.[1];
  return charset === undefined || /^utf-?8$/i.test(charset);
}

/** Reads at most `limit` bytes of a body, counting as it streams, whatever Content-Length claims. */
async function readLimited(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The edge, before anything reads the body: refuses control characters in the path and query
 * (400 `BAD_QUERY`), a body over its route's limit (413 `PAYLOAD_TOO_LARGE`: refused on a
 * declared Content-Length, and otherwise counted as it streams, so a lying Content-Length or a
 * chunked body stops at the limit), and on /api a non-empty body that is not `application/json`
 * (415 `UNSUPPORTED_MEDIA_TYPE`: a cross-site `<form enctype="text/plain">` cannot reach a JSON API).
 */
export const guardInput = createMiddleware<AppEnv>(async (c, next) => {
  const url = new URL(c.req.url);
  let query: string;
  let path: string;
  try {
    query = decodeURIComponent(url.search.replace(/\+/g, ' '));
    path = decodeURIComponent(url.pathname);
  } catch {
    throw new AppError(400, 'BAD_QUERY', '网址中含有无法识别的编码,请检查链接');
  }
  if (URL_CONTROL_CHARS.test(query) || URL_CONTROL_CHARS.test(path)) throw new AppError(400, 'BAD_QUERY', '网址中含有不可见的控制字符,请检查链接');

  const req = c.req.raw;
  if (SAFE.has(req.method) || !req.body) return next();
  const limit = bodyLimitFor(url.pathname);
  const declared = Number(req.headers.get('content-length') ?? 0);
  if (declared > limit) throw tooLarge(limit);
  const body = await readLimited(req.body, limit);
  if (body.byteLength > 0 && url.pathname.startsWith('/api/') && !isJsonType(req.headers.get('content-type'))) {
    throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', '接口只接受 JSON 格式的请求(application/json)');
  }
  // what the routes read (c.req.text/json/parseBody) comes from Hono's body cache, which keeps the
  // content type: re-wrapping the request in a new Request cost a ballot cast ~0.2 ms of CPU
  (c.req.bodyCache as Record<string, Promise<unknown>>)["arrayBuffer"] = Promise.resolve(body.buffer); // Hono keeps promises there
  return next();
});

type FormValue = string | File;

async function parsedForm(c: Context<AppEnv>, all: boolean): Promise<Record<string, FormValue | FormValue[]>> {
  try {
    return (await c.req.parseBody({ all })) as Record<string, FormValue | FormValue[]>;
  } catch {
    throw new AppError(400, 'BAD_FORM', '提交的表单内容不完整或格式错误,请刷新页面后重新提交');
  }
}

/** Form fields as cleaned strings (the last value wins); files are ignored. */
export async function readForm(c: Context<AppEnv>): Promise<Record<string, string>> {
  const body = await parsedForm(c, false);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    const value = Array.isArray(v) ? v[v.length - 1] : v;
    if (typeof value === 'string') out[cleanText(k)] = cleanText(value, k);
  }
  return out;
}

/** Form fields keeping repeated names (checkbox groups) as arrays. */
export async function readFormAll(c: Context<AppEnv>): Promise<Record<string, string | string[]>> {
  const body = await parsedForm(c, true);
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(body)) {
    if (Array.isArray(v)) out[cleanText(k)] = v.filter((x): x is string => typeof x === 'string').map((x) => cleanText(x, k));
    else if (typeof v === 'string') out[cleanText(k)] = cleanText(v, k);
  }
  return out;
}

/** A form with its uploaded files: cleaned strings, and each file as it came. */
export async function readUpload(c: Context<AppEnv>): Promise<{ fields: Record<string, string>; files: Record<string, File> }> {
  const body = await parsedForm(c, false);
  const fields: Record<string, string> = {};
  const files: Record<string, File> = {};
  for (const [k, v] of Object.entries(body)) {
    const value = Array.isArray(v) ? v[v.length - 1] : v;
    if (typeof value === 'string') fields[cleanText(k)] = cleanText(value, k);
    else if (value instanceof File) files[k] = value;
  }
  return { fields, files };
}

/** A staff upload (one multipart file field, at most `limit` bytes) read as JSON; missing, oversized or non-JSON is a Chinese 422. */
export async function uploadedJson(c: Context<AppEnv>, field: string, limit: number): Promise<unknown> {
  const { files } = await readUpload(c);
  const file = files[field];
  if (!file || file.size === 0) throw new AppError(422, 'FILE_MISSING', '请选择文件', { [field]: '请选择文件' });
  if (file.size > limit) throw new AppError(422, 'FILE_TOO_LARGE', '文件太大', { [field]: '文件太大' });
  try {
    return JSON.parse(await file.text());
  } catch {
    throw new AppError(422, 'FILE_UNREADABLE', '文件不是 JSON', { [field]: '文件不是 JSON' });
  }
}

const MAX_DEPTH = 32;

function cleanJson(value: unknown, path: string, depth: number): unknown {
  if (typeof value === 'string') return cleanText(value, path);
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) throw new AppError(422, 'VALIDATION_FAILED', '请求内容的层级过深');
  if (Array.isArray(value)) return value.map((v, i) => cleanJson(v, path ? `${path}.${i}` : String(i), depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = cleanText(k, path);
    // defineProperty: a "__proto__" key stays an own field instead of replacing the prototype
    Object.defineProperty(out, key, { value: cleanJson(v, path ? `${path}.${key}` : key, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * The body of a JSON API request as an object: 400 `BAD_JSON` when it does not parse (empty,
 * truncated), 422 when it parses to something other than an object (null, an array, a number,
 * a string). The content type was checked at the edge. With `optional`, an empty body is `{}`.
 */
export async function readJson(c: Context<AppEnv>, opts: { optional?: boolean } = {}): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await c.req.text();
  } catch {
    throw new AppError(400, 'BAD_JSON', '请求内容不完整,请重新提交');
  }
  if (opts.optional && text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AppError(400, 'BAD_JSON', '请求内容不是有效的 JSON(可能不完整),请检查后重新提交');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError(422, 'VALIDATION_FAILED', '请求内容应为 JSON 对象(形如 {"字段": 值})');
  }
  return cleanJson(body, '', 0) as Record<string, unknown>;
}
