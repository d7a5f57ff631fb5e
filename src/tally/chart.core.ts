/**
 * Server-rendered SVG chart of a group's results: per department, its satisfaction rate and its
 * weighted score as two horizontal bars on a 0–100 axis. Pure string building, no chart
 * service; the text is escaped; role="img" with a title and description (the page also has the
 * same figures as a table).
 */
import type { GroupTally } from './tally.core';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (n: number | null) => (n === null ? '—' : n.toFixed(2));

export function resultChartSvg(tally: GroupTally, title: string): string {
  return rateChartSvg(tally.departments, title, { score: true });
}

export interface ChartRow {
  name: string;
  satisfactionRate: number | null;
  score: number | null;
}

/**
 * The chart itself, for any rows with a satisfaction rate (a group's departments, a survey's
 * fields); the score bar and its legend only when `score` is set.
 */
export function rateChartSvg(rows: readonly ChartRow[], title: string, opts: { score: boolean }): string {
  const left = 190;
  const barWidth = 440;
  const rowHeight = 46;
  const top = 56;
  const width = left + barWidth + 90;
  const height = top + rows.length * rowHeight + 24;
  const x = (v: number) => left + (barWidth * Math.max(0, Math.min(100, v))) / 100;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" class="fluid" role="img" aria-labelledby="chart-title chart-desc" font-family="Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif" font-size="14">`,
    `<title id="chart-title">${esc(title)}</title>`,
    `<desc id="chart-desc">${esc(rows.map((d) => `${d.name}:满意率 ${fmt(d.satisfactionRate)}%${opts.score ? `,得分 ${fmt(d.score)}` : ''}`).join(';'))}</desc>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`,
    `<rect x="${left}" y="12" width="14" height="10" fill="#a3161a"/><text x="${left + 20}" y="22" fill="#1a1a1a">满意率(%)</text>`,
  );
  if (opts.score) parts.push(`<rect x="${left + 130}" y="12" width="14" height="10" fill="#0b4f9c"/><text x="${left + 150}" y="22" fill="#1a1a1a">加权得分</text>`);
  for (const tick of [0, 25, 50, 75, 100]) {
    parts.push(`<line x1="${x(tick)}" y1="${top - 8}" x2="${x(tick)}" y2="${height - 20}" stroke="#d0d4da"/>`);
    parts.push(`<text x="${x(tick)}" y="${top - 12}" text-anchor="middle" fill="#555" font-size="12">${tick}</text>`);
  }
  rows.forEach((d, i) => {
    const y = top + i * rowHeight;
    const rate = d.satisfactionRate;
    const score = d.score;
    parts.push(`<text x="${left - 8}" y="${y + 22}" text-anchor="end" fill="#1a1a1a">${esc(d.name)}</text>`);
    if (rate === null) {
      parts.push(`<text x="${left + 4}" y="${y + 22}" fill="#555">无有效评价</text>`);
      return;
    }
    parts.push(`<rect x="${left}" y="${y + 4}" width="${x(rate) - left}" height="16" fill="#a3161a"/>`);
    parts.push(`<text x="${x(rate) + 4}" y="${y + 17}" fill="#1a1a1a" font-size="12">${fmt(rate)}%</text>`);
    if (opts.score && score !== null) {
      parts.push(`<rect x="${left}" y="${y + 22}" width="${x(score) - left}" height="12" fill="#0b4f9c"/>`);
      parts.push(`<text x="${x(score) + 4}" y="${y + 33}" fill="#1a1a1a" font-size="12">${fmt(score)}</text>`);
    }
  });
  parts.push('</svg>');
  return parts.join('');
}
