import type { EChartsOption } from 'echarts';

/** A column of a report's table: the CSV header is `key`; charts and docs use `label` and `unit`. */
export interface ReportColumn {
  key: string;
  label: string;
  /** e.g. `visits`, `%`, `seconds`, `fen`; shown on the chart's axis. */
  unit?: string;
}

/** The flat form of a report: CSV rows, and what charts are drawn from. */
export interface ReportTable {
  columns: ReportColumn[];
  rows: Record<string, string | number | boolean | null>[];
}

/**
 * How the SVG is drawn from the table:
 * - `line` / `bar`: `x` is the category column (a bucket label, a channel…), `series` the value columns
 *   (one line or bar series each, sharing the first series' unit on the value axis);
 * - `pie` / `funnel`: `x` names the slices, `series[0]` their values;
 * - `heatmap`: `x` and `y` are category columns, `series[0]` the value (a retention triangle);
 * - `option`: any ECharts option, for a chart none of these fit (title and size are still set here).
 */
export type ReportChart =
  | { kind: 'line' | 'bar'; x: string; series: string[]; stacked?: boolean }
  | { kind: 'pie' | 'funnel'; x: string; series: [string] }
  | { kind: 'heatmap'; x: string; y: string; series: [string] }
  | { kind: 'option'; option: EChartsOption };

/**
 * What a report handler returns: the JSON body, and the table and chart the `csv` and `svg` formats
 * are made of. `ReportFormatInterceptor` picks one by `?format=`.
 */
export class ReportAnswer<T = unknown> {
  constructor(
    readonly body: T,
    readonly title: string,
    readonly table: ReportTable,
    readonly chart: ReportChart,
    /** File name without extension, for `Content-Disposition` (ASCII: it goes into a header). */
    readonly fileName: string,
  ) {}
}
