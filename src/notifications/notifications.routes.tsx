import { Hono } from 'hono';
import { OutboxPage } from '../../views/notifications/outbox';
import { requireRole } from '../auth/auth.middleware';
import { getCampaign } from '../campaigns/campaigns.service';
import type { AppEnv } from '../env';
import { page } from '../lib/render';
import { listOutbox } from './outbox.service';

/** Organisers read the outbox: with no provider configured, this is where the messages are. */
export const notificationRoutes = new Hono<AppEnv>();

notificationRoutes.get('/staff/c/:code/notifications', requireRole('organiser'), async (c) => {
  const campaign = await getCampaign(c.var.db, c.req.param('code'));
  const { rows, byStatus } = await listOutbox(c.var.db, campaign.id);
  const counts = { pending: byStatus.get('pending') ?? 0, sending: byStatus.get('sending') ?? 0, sent: byStatus.get('sent') ?? 0, failed: byStatus.get('failed') ?? 0 };
  return page(
    c,
    { title: '通知发件箱', campaignCode: campaign.code },
    <OutboxPage
      campaign={campaign}
      rows={rows}
      counts={counts}
      providers="发送方:Node 服务进程内的发送器(配置 SMTP_URL 发邮件、阿里云短信配置发短信);未配置的渠道,消息保留在此等待,不会丢失。"
    />,
  );
});
