import type { Context } from 'hono';
import { limitedLookup } from '../lib/rate-limit.service';
import type { AppEnv } from '../env';
import { AppError, notFound } from '../lib/errors';
import { LruCache } from '../lib/cache.core';
import { delegateByToken } from './delegates.service';
import { delegateLinksFor, type DelegateLinks } from './link.core';

export type { DelegateLinks };

// one entry per data-encryption key: a handful at most (rotation), bounded all the same
const cache = new LruCache<string, DelegateLinks>({ max: 8 });

/** The personal-link functions under the data-encryption key; undefined when none (or no well-formed one) is configured. */
export function delegateLinks(secretKeyHex: string | undefined): DelegateLinks | undefined {
  if (!secretKeyHex || !/^[0-9a-f]{64}$/i.test(secretKeyHex)) return undefined;
  const hex = secretKeyHex.toLowerCase();
  return cache.getOrSet(hex, () => delegateLinksFor(hex));
}

/** Drawing delegates, printing their links and opening them need the key; without one they stop here. */
export function requireLinks(links: DelegateLinks | undefined): DelegateLinks {
  if (!links) throw new AppError(503, 'SECRET_KEY_MISSING', '服务器未配置数据加密密钥,暂不能生成或打开市民代表的个人通知链接;请联系技术保障组');
  return links;
}

/**
 * The delegate a personal link opens, under the lookup budget of personal links (a miss costs
 * the address one guess); 404 for anything else, including any other spelling of a real token.
 */
export async function personalLinkDelegate(c: Context<AppEnv>, token: string) {
  const links = requireLinks(c.var.delegateLinks);
  const row = await limitedLookup(c, 'personal-link', () => delegateByToken(c.var.db, links, token));
  if (!row) throw notFound('通知');
  return row;
}
