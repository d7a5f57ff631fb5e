/** How the campaign pages name a department material's kind (pure display: no domain rule decides it). */
export const MATERIAL_KIND_LABELS = {
  board_image: '解读图板(图片)',
  pdf: 'PDF 文件',
  link: '网页链接',
} as const;

/** The kinds an organiser may add, in the order the form offers them. */
export const MATERIAL_KINDS = Object.keys(MATERIAL_KIND_LABELS) as (keyof typeof MATERIAL_KIND_LABELS)[];
