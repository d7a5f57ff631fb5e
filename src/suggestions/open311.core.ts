/**
 * Open311 GeoReport v2 mapped onto the campaign's suggestions, with no I/O: services are the
 * campaign's areas (所属领域), each with a required `theme` attribute (建议主题); a service
 * request is a suggestion. What goes in passes the web form's validation; what comes out is the
 * public view (masked, author never named).
 */
import type { SuggestionStatus } from './states.core';
import { LIMITS, STATUS_LABELS, type IntakeContext, type PublicSuggestionView } from './suggestions.core';

export interface Open311Service {
  service_code: string;
  service_name: string;
  description: string;
  metadata: boolean;
  type: 'realtime';
  keywords: string;
  group: string;
}

export function services(ctx: IntakeContext, campaignName: string): Open311Service[] {
  return ctx.areas.map((area) => ({ service_code: area, service_name: area, description: `${campaignName}市民建议:${area}`, metadata: true, type: 'realtime', keywords: ctx.themes.join(','), group: '市民建议' }));
}

/** GET services/{code}.json: the attributes a request of this service takes. */
export function serviceDefinition(ctx: IntakeContext, code: string) {
  const attr = (code: string, order: number, description: string, required: boolean, values?: readonly { key: string; name: string }[]) => ({
    variable: true,
    code,
    datatype: values ? 'singlevaluelist' : 'string',
    required,
    datatype_description: description,
    order,
    description,
    ...(values ? { values } : {}),
  });
  return {
    service_code: code,
    attributes: [
      attr('theme', 1, '建议主题', true, ctx.themes.map((t) => ({ key: t, name: t }))),
      attr('title', 2, `建议标题(${LIMITS.title.min}–${LIMITS.title.max} 字;不填则取描述的第一句)`, false),
      attr('notify', 3, '办理进度通知:sms(短信)、email(电子邮件)或 none', false, [
        { key: 'sms', name: '短信' },
        { key: 'email', name: '电子邮件' },
        { key: 'none', name: '不需要通知' },
      ]),
      attr('target_department', 4, '建议由哪个部门办理(选填)', false, ctx.departments.map((d) => ({ key: d, name: d }))),
    ],
  };
}

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** The first sentence of a description, as a title of at most 40 characters. */
export function titleFrom(description: string): string {
  const first = description.split(/[。!?!?\n]/)[0]!.trim();
  const chars = [...(first || description.trim())];
  return chars.slice(0, LIMITS.title.max).join('');
}

/**
 * A POST requests.json body (form fields `attribute[theme]`, or JSON `attributes: {theme}`) as the
 * fields the web form sends; validation is then the web form's own.
 */
export function toSuggestionFields(body: Record<string, unknown>): Record<string, unknown> {
  const attrs = (typeof body['attributes'] === 'object' && body['attributes'] !== null ? body['attributes'] : {}) as Record<string, unknown>;
  const attr = (name: string) => str(body[`attribute[${name}]`]) || str(attrs[name]);
  const description = str(body['description']);
  const address = str(body['address_string']);
  const name = `${str(body['last_name'])}${str(body['first_name'])}`;
  return {
    authorName: name,
    mobile: str(body['phone']),
    email: str(body['email']),
    area: str(body['service_code']),
    theme: attr('theme'),
    title: attr('title') || titleFrom(description),
    body: address ? `${description}\n(地点:${address})` : description,
    targetDepartment: attr('target_department'),
    notify: attr('notify') || 'none',
    // the honeypot is the web form's; an API client never fills it
    website: '',
  };
}

/** Web-form field names as Open311 names them, for error messages. */
export const OPEN311_FIELD: Record<string, string> = {
  authorName: 'last_name',
  mobile: 'phone',
  email: 'email',
  area: 'service_code',
  theme: 'attribute[theme]',
  title: 'attribute[title]',
  body: 'description',
  targetDepartment: 'attribute[target_department]',
  notify: 'attribute[notify]',
};

const OPEN: readonly SuggestionStatus[] = ['received', 'dispatched', 'in_progress', 'answered'];

/** A suggestion as a GeoReport service request: the public view only. */
export function toServiceRequest(v: PublicSuggestionView & { departments: string[]; updatedAt: number | null }) {
  return {
    service_request_id: v.code,
    status: OPEN.includes(v.status) ? 'open' : 'closed',
    status_notes: v.status === 'published' ? `${STATUS_LABELS[v.status]}:${v.publicAnswer}` : v.status === 'not_accepted' && v.rejectReason ? `${STATUS_LABELS[v.status]}:${v.rejectReason}` : STATUS_LABELS[v.status],
    service_name: v.area,
    service_code: v.area,
    description: v.body,
    agency_responsible: v.departments.join('、'),
    service_notice: '',
    requested_datetime: new Date(v.createdAt).toISOString(),
    updated_datetime: new Date(v.updatedAt ?? v.createdAt).toISOString(),
    expected_datetime: null,
    address: '',
    address_id: '',
    zipcode: '',
    lat: null,
    long: null,
    media_url: '',
  };
}
