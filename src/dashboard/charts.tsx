import type { FC } from 'hono/jsx';

/** Server-rendered SVG charts: no client library, each bar carries a <title> tooltip. */
interface ChartSeries {
  label: string;
  color: string;
  values: number[];
}

const WIDTH = 560;
const MARGIN = { top: 14, right: 10, bottom: 30, left: 56 };

/** The smallest 1/2/5 × 10^n step giving at most `ticks` intervals up to `max`. */
const niceStep = (max: number, ticks: number): number => {
  if (max <= 0) return 1;
  const raw = max / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const multiple = [1, 2, 5, 10].find((factor) => factor * magnitude >= raw) ?? 10;
  return multiple * magnitude;
};

const Legend: FC<{ series: ChartSeries[] }> = ({ series }) =>
  series.length < 2 ? null : (
    <div class="legend">
      {series.map((entry) => (
        <span>
          <svg width="10" height="10" aria-hidden="true">
            <rect width="10" height="10" rx="2" fill={entry.color} />
          </svg>{' '}
          {entry.label}
        </span>
      ))}
    </div>
  );

interface BarChartProps {
  id: string;
  title: string;
  categories: string[];
  series: ChartSeries[];
  format: (value: number) => string;
  /** Shorter text under each bar (e.g. "11-03" for a day). */
  categoryLabel?: (category: string) => string;
  /** Shown over an all-zero chart. */
  emptyText?: string;
}

/** Vertical stacked bars, one per category (day). */
export const StackedBarChart: FC<BarChartProps> = ({ id, title, categories, series, format, categoryLabel, emptyText = 'no usage in this range' }) => {
  const height = 200;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const totals = categories.map((_, index) => series.reduce((sum, entry) => sum + (entry.values[index] ?? 0), 0));
  const step = niceStep(Math.max(0, ...totals), 4);
  const top = Math.max(step, Math.ceil(Math.max(0, ...totals) / step) * step);
  const y = (value: number) => MARGIN.top + plotHeight - (value / top) * plotHeight;
  const band = plotWidth / Math.max(1, categories.length);
  const barWidth = Math.max(1, band * 0.72);
  const labelEvery = Math.max(1, Math.ceil(categories.length / 10));
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, index) => index * step);
  return (
    <figure class="card" id={id}>
      <strong>{title}</strong>
      <svg class="chart" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={title}>
        {ticks.map((tick) => (
          <g>
            <line class="grid-line" x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(tick)} y2={y(tick)} />
            <text x={MARGIN.left - 6} y={y(tick) + 4} text-anchor="end">
              {format(tick)}
            </text>
          </g>
        ))}
        {categories.map((category, index) => {
          let base = 0;
          const x = MARGIN.left + index * band + (band - barWidth) / 2;
          return (
            <g class="bar">
              {series.map((entry) => {
                const value = entry.values[index] ?? 0;
                if (value <= 0) return null;
                const rect = <rect x={x} y={y(base + value)} width={barWidth} height={Math.max(0.5, y(base) - y(base + value))} fill={entry.color}>
                  <title>{`${category} · ${entry.label}: ${format(value)}`}</title>
                </rect>;
                base += value;
                return rect;
              })}
              {index % labelEvery === 0 ? (
                <text x={MARGIN.left + index * band + band / 2} y={height - MARGIN.bottom + 16} text-anchor="middle">
                  {categoryLabel ? categoryLabel(category) : category}
                </text>
              ) : null}
            </g>
          );
        })}
        <line class="axis" x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(0)} y2={y(0)} />
        {totals.every((total) => total === 0) ? (
          <text x={MARGIN.left + plotWidth / 2} y={MARGIN.top + plotHeight / 2} text-anchor="middle">
            {emptyText}
          </text>
        ) : null}
      </svg>
      <Legend series={series} />
    </figure>
  );
};

interface HorizontalBarsProps {
  id: string;
  title: string;
  rows: Array<{ label: string; value: number }>;
  color: string;
  format: (value: number) => string;
}

/** One horizontal bar per row (model), largest first. */
export const HorizontalBarChart: FC<HorizontalBarsProps> = ({ id, title, rows, color, format }) => {
  const sorted = [...rows].sort((a, b) => b.value - a.value).slice(0, 15);
  const rowHeight = 22;
  const labelWidth = 150;
  const valueWidth = 70;
  const height = Math.max(1, sorted.length) * rowHeight + 10;
  const max = Math.max(0, ...sorted.map((row) => row.value));
  const barSpace = WIDTH - labelWidth - valueWidth;
  return (
    <figure class="card" id={id}>
      <strong>{title}</strong>
      <svg class="chart" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={title}>
        {sorted.length === 0 ? (
          <text x={WIDTH / 2} y={18} text-anchor="middle">
            no usage in this range
          </text>
        ) : null}
        {sorted.map((row, index) => {
          const y = 5 + index * rowHeight;
          const width = max === 0 ? 0 : Math.max(row.value > 0 ? 1 : 0, (row.value / max) * barSpace);
          return (
            <g class="bar">
              <text x={labelWidth - 8} y={y + 15} text-anchor="end">
                {row.label.length > 22 ? `${row.label.slice(0, 21)}…` : row.label}
              </text>
              <rect x={labelWidth} y={y + 3} width={width} height={rowHeight - 7} fill={color}>
                <title>{`${row.label}: ${format(row.value)}`}</title>
              </rect>
              <text x={labelWidth + width + 6} y={y + 15}>
                {format(row.value)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
};

/** 1234567 → "1.2M", for axis labels. */
export const compactNumber = (value: number): string =>
  value >= 1e9 ? `${+(value / 1e9).toFixed(1)}B` : value >= 1e6 ? `${+(value / 1e6).toFixed(1)}M` : value >= 1e4 ? `${+(value / 1e3).toFixed(1)}k` : String(+value.toFixed(2));

export const compactUsd = (value: number): string => (value === 0 ? '$0' : value < 0.01 ? `$${value.toPrecision(2)}` : `$${compactNumber(value)}`);
