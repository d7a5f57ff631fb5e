import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { appCss } from '../views/components/styles';
import { auditRoutes } from './audit/audit.routes';
import { authRoutes } from './auth/auth.routes';
import { csrfProtection, loadSession } from './auth/auth.middleware';
import { campaignApi } from './campaigns/campaigns-api.routes';
import { campaignRoutes } from './campaigns/campaigns.routes';
import { editRoutes } from './campaigns/edit.routes';
import type { Db } from './db/client';
import type { AppEnv } from './env';
import { atRestCipher } from './lib/at-rest';
import { delegateLinks } from './delegates/links.service';
import { AppError, DomainError, fromDomain } from './lib/errors';
import { guardInput } from './lib/input';
import { isStorageFull } from './lib/validation';
import './lib/zod-zh';
import { serveCeremonyPage, serveCheckPage, serveScript } from './lib/assets';
import { securityHeaders } from './lib/security-headers.middleware';
import { renderError } from './lib/error-page';
import { staffRoutes } from './staff/staff.routes';
import { userRoutes } from './auth/users.routes';
import { setupRoutes } from './auth/setup.routes';
import { delegateRoutes } from './delegates/delegates.routes';
import { signupRoutes } from './delegates/signup.routes';
import { drawRoutes } from './delegates/draw.routes';
import { quotaRoutes } from './delegates/quotas.routes';
import { hearingRoutes } from './hearing/hearing.routes';
import { ballotRoutes } from './hearing/ballot.routes';
import { keyRoutes } from './hearing/keys.routes';
import { recommendationRoutes } from './delegates/recommendations.routes';
import { tallyApi, tallyRoutes } from './tally/tally.routes';
import { suggestionPublicRoutes } from './suggestions/public.routes';
import { suggestionStaffRoutes } from './suggestions/staff.routes';
import { suggestionApi } from './suggestions/api.routes';
import { surveyBuilderRoutes } from './survey/builder.routes';
import { surveyCeremonyApi } from './survey/ceremony.routes';
import { surveyRespondRoutes } from './survey/respond.routes';
import { surveyResultRoutes } from './survey/results.routes';
import { notificationRoutes } from './notifications/notifications.routes';
import { open311Routes } from './suggestions/open311.routes';

export interface AppOptions {
  /** The database for this request: a shared client on Node, built from bindings on Workers. */
  db: (c: Context<AppEnv>) => Db | Promise<Db>;
  /** The client address, as the runtime knows it (socket on Node, CF-Connecting-IP on Workers). */
  clientIp: (c: Context<AppEnv>) => string;
  /** htmx, read from node_modules on Node and bundled as text on Workers. */
  htmxSource: string;
  /** Key for the keyed hash of resident ID numbers (never stored beside the data it protects). */
  idHashKey: (c: Context<AppEnv>) => string | undefined;
  /** Data-encryption key (64 hex) of the secrets stored in the database (never stored beside them). */
  secretKey: (c: Context<AppEnv>) => string | undefined;
  /** Overwrites deleted secrets' leftovers in the database file (checkpoints the WAL on an embedded file). */
  scrubDeleted?: () => Promise<void>;
  /** One-time token that lets /setup create the first organiser where no CLI can reach the database. */
  setupToken: (c: Context<AppEnv>) => string | undefined;
}

const noScrub = async () => {};

export function createApp(opts: AppOptions) {
  const app = new Hono<AppEnv>();
  // Content-Security-Policy and HSTS on every response; every script a page loads is a static file
  app.use('*', securityHeaders);

  app.get('/static/app.css', (c) => c.body(appCss, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' }));
  app.get('/static/htmx.min.js', (c) =>
    c.body(opts.htmxSource, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=86400' }),
  );
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/static/:name{[a-z-]+\\.js}', (c, next) => serveScript(c) ?? next());
  // the ballot-check page: static, before the database and session middleware, so it loads even when they fail
  app.get('/check', serveCheckPage);
  app.get('/ceremony', serveCeremonyPage);

  app.use('*', async (c, next) => {
    c.set('db', await opts.db(c));
    c.set('clientIp', opts.clientIp(c));
    c.set('idHashKey', opts.idHashKey(c));
    const secretKey = opts.secretKey(c);
    c.set('atRest', atRestCipher(secretKey));
    c.set('delegateLinks', delegateLinks(secretKey));
    c.set('scrubDeleted', opts.scrubDeleted ?? noScrub);
    c.set('setupToken', opts.setupToken(c));
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'same-origin');
    c.header('X-Frame-Options', 'DENY');
    await next();
  });
  app.use('*', loadSession);
  app.use('*', guardInput); // body limits, JSON content type, control characters in the URL
  app.use('*', csrfProtection);

  app.route('/', campaignRoutes);
  app.route('/', authRoutes);
  app.route('/', setupRoutes);
  app.route('/staff', staffRoutes);
  app.route('/staff/users', userRoutes);
  app.route('/staff/audit', auditRoutes);
  app.route('/staff/c/:code', editRoutes);
  app.route('/', signupRoutes);
  app.route('/', recommendationRoutes);
  app.route('/', delegateRoutes);
  app.route('/', drawRoutes);
  app.route('/', quotaRoutes);
  app.route('/', hearingRoutes);
  app.route('/', ballotRoutes);
  app.route('/', keyRoutes);
  app.route('/', tallyRoutes);
  app.route('/', suggestionPublicRoutes);
  app.route('/', suggestionStaffRoutes);
  app.route('/', notificationRoutes);
  app.route('/api', suggestionApi);
  app.route('/open311/v2', open311Routes);
  app.route('/', surveyBuilderRoutes);
  app.route('/', surveyCeremonyApi);
  app.route('/', surveyRespondRoutes);
  app.route('/', surveyResultRoutes);
  app.route('/api', campaignApi);
  app.route('/api', tallyApi);

  app.notFound((c) => renderError(c, new AppError(404, 'NOT_FOUND', '找不到您要访问的页面或资源')));
  app.onError((err, c) => {
    if (err instanceof AppError) return renderError(c, err);
    if (err instanceof DomainError) return renderError(c, fromDomain(err));
    if (err instanceof HTTPException) {
      return renderError(c, new AppError(err.status as ContentfulStatusCode, 'HTTP_ERROR', '请求无法处理,请检查后重试'));
    }
    if (isStorageFull(err)) {
      console.error('storage full:', err);
      return renderError(c, new AppError(507, 'STORAGE_FULL', '服务器存储空间已满,本次提交未保存,请通知技术保障组'));
    }
    // Internal detail goes to the log, never to the user.
    console.error(err);
    return renderError(c, new AppError(500, 'INTERNAL', '系统暂时无法处理您的请求,请稍后再试;如果问题持续,请联系技术保障组'));
  });

  return app;
}
