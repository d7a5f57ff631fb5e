import { Hono } from 'hono';
import { AuditPage } from '../../views/audit/audit';
import { requireRole } from '../auth/auth.middleware';
import type { AppEnv } from '../env';
import { page } from '../lib/render';
import { latestAudit, verifyAuditChain } from './audit.service';

export const auditRoutes = new Hono<AppEnv>();

auditRoutes.get('/', requireRole('auditor', 'organiser'), async (c) => {
  const [rows, verdict] = await Promise.all([latestAudit(c.var.db, 200), verifyAuditChain(c.var.db)]);
  return page(c, { title: '审计日志' }, <AuditPage rows={rows} verdict={verdict} />);
});
