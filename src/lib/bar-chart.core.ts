/** A horizontal bar chart's geometry: pure numbers, drawn as SVG on the server by the pages. */
export interface Bar {
  label: string;
  value: number;
  /** Bar length in px, for a chart `width` wide. */
  length: number;
  y: number;
}

export interface BarChart {
  width: number;
  height: number;
  labelWidth: number;
  rowHeight: number;
  bars: Bar[];
  max: number;
}

/** Geometry of a horizontal bar chart; the view draws it as SVG on the server. */
export function barChart(rows: readonly { label: string; value: number }[], opts: { width?: number; labelWidth?: number; rowHeight?: number } = {}): BarChart {
  const width = opts.width ?? 640;
  const labelWidth = opts.labelWidth ?? 170;
  const rowHeight = opts.rowHeight ?? 26;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const room = width - labelWidth - 60;
  return {
    width,
    height: rows.length * rowHeight + 8,
    labelWidth,
    rowHeight,
    max,
    bars: rows.map((r, i) => ({ label: r.label, value: r.value, length: Math.round((r.value / max) * room), y: 4 + i * rowHeight })),
  };
}
