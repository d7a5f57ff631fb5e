/** The states and kinds of this domain's records: declared here, pure, so cores and the db schema share them. */
export const CAMPAIGN_STATUSES = ['draft', 'started', 'closed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const VENUE_KINDS = ['main', 'sub'] as const;
export type VenueKind = (typeof VENUE_KINDS)[number];
export const MATERIAL_KINDS = ['board_image', 'pdf', 'link'] as const;
export type MaterialKind = (typeof MATERIAL_KINDS)[number];
export const SUGGESTION_TERM_KINDS = ['theme', 'area'] as const;

export const MATERIAL_KIND_LABELS: Record<MaterialKind, string> = {
  board_image: '解读图板(图片)',
  pdf: 'PDF 文件',
  link: '网页链接',
};
