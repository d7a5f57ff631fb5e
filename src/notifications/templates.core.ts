/**
 * The messages, as data: one Chinese template per event, for e-mail (subject and text) and SMS.
 * `{name}` is replaced by the parameter of that name. SMS text is what must be registered with
 * the provider (Alibaba Cloud 短信模板, variables as `${name}`); the provider's template code of
 * each event comes from configuration (ALIYUN_SMS_TEMPLATES), and `smsParams` lists the
 * variables sent with it. No template names the citizen or quotes their text.
 */
export const NOTIFICATION_EVENTS = ['received', 'dispatched', 'published', 'merged_published', 'reopened', 'closed', 'reminder_day10', 'reminder_day14'] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export interface MessageTemplate {
  subject: string;
  text: string;
  sms: string;
  smsParams: readonly string[];
}

export const TEMPLATES: Record<NotificationEvent, MessageTemplate> = {
  received: {
    subject: '您的建议已受理(跟踪码 {code})',
    text: '您好:\n\n您提交的建议已受理,跟踪码 {code}。我们将在 3 个工作日内分派到责任部门办理,办理进度可随时查询:\n{trackUrl}\n\n三民活动组委会',
    sms: '您的建议已受理,跟踪码${code},可在三民活动网站查询办理进度。',
    smsParams: ['code'],
  },
  dispatched: {
    subject: '您的建议已分派办理(跟踪码 {code})',
    text: '您好:\n\n您的建议(跟踪码 {code})已分派给 {departments} 办理,答复期限为 {deadline}。办理进度:\n{trackUrl}\n\n三民活动组委会',
    sms: '您的建议${code}已分派给${departments}办理,答复期限${deadline}。',
    smsParams: ['code', 'departments', 'deadline'],
  },
  published: {
    subject: '您的建议已答复,请评价(跟踪码 {code})',
    text: '您好:\n\n您的建议(跟踪码 {code})已答复并公开。请阅读答复后告诉我们您是否满意(满意 / 基本满意 / 不满意),不满意的将重新交办:\n{rateUrl}\n\n三民活动组委会',
    sms: '您的建议${code}已答复,请点击链接评价办理结果:${rateUrl}',
    smsParams: ['code', 'rateUrl'],
  },
  merged_published: {
    subject: '与您的建议相同的建议已答复(跟踪码 {code})',
    text: '您好:\n\n您的建议(跟踪码 {code})已与内容相同的建议 {original} 合并办理,答复已公开:\n{originalUrl}\n\n三民活动组委会',
    sms: '您的建议${code}已与相同建议${original}合并办理,答复已公开,可在三民活动网站查询。',
    smsParams: ['code', 'original'],
  },
  reopened: {
    subject: '您的建议已重新交办(跟踪码 {code})',
    text: '您好:\n\n根据您的评价,您的建议(跟踪码 {code})已重新交由 {departments} 办理,新的答复期限为 {deadline}。办理进度:\n{trackUrl}\n\n三民活动组委会',
    sms: '根据您的评价,建议${code}已重新交办,新的答复期限${deadline}。',
    smsParams: ['code', 'deadline'],
  },
  closed: {
    subject: '您的建议办理已结束(跟踪码 {code})',
    text: '您好:\n\n您的建议(跟踪码 {code})办理已结束。感谢您参与三民活动,办理结果可随时查看:\n{trackUrl}\n\n三民活动组委会',
    sms: '您的建议${code}办理已结束,感谢您参与三民活动。',
    smsParams: ['code'],
  },
  reminder_day10: {
    subject: '【提醒】建议 {code} 的答复期限还有 5 天',
    text: '您好:\n\n分派给 {department} 的建议(跟踪码 {code})已办理 10 天,答复期限为 {deadline},请及时答复:\n{handlingUrl}\n\n三民活动组委会',
    sms: '建议${code}答复期限${deadline},请及时答复。',
    smsParams: ['code', 'deadline'],
  },
  reminder_day14: {
    subject: '【催办】建议 {code} 明天到期',
    text: '您好:\n\n分派给 {department} 的建议(跟踪码 {code})明天({deadline})到期,尚未答复,请今天内办理:\n{handlingUrl}\n\n三民活动组委会',
    sms: '建议${code}明天到期,请今天内答复。',
    smsParams: ['code'],
  },
};

/** Fills `{name}` placeholders; an unknown one stays visible rather than vanishing. */
export function fill(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}
