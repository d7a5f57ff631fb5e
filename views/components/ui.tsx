/** A campaign's stage, as the staff pages label it. */
export type CampaignStatus = 'draft' | 'started' | 'closed';

export const STATUS_LABELS: Record<CampaignStatus, string> = {
  draft: '筹备中(可编辑)',
  started: '已开始(结构冻结)',
  closed: '已结束',
};

export function StatusBadge({ status }: { status: CampaignStatus }) {
  return <span class={`badge ${status === 'draft' ? 'draft' : 'frozen'}`}>{STATUS_LABELS[status]}</span>;
}

export { formatDate } from './format';

export const groupName = (no: number) => `第${['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'][no - 1] ?? no}组`;
