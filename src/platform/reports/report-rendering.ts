import * as echarts from 'echarts';
import type { EChartsOption } from 'echarts';
import { stringify } from 'csv-stringify/sync';
import { ReportAnswer, ReportColumn, ReportTable } from './report-answer';

/** The same numbers as the JSON, one row per table row, a header of column keys; empty for null. */
export function renderCsv(table: ReportTable): string {
  return stringify(
    table.rows.map((row) => table.columns.map((column) => row[column.key] ?? null)),
    {
      header: true,
      columns: table.columns.map((column) => column.key),
      cast: { boolean: (value) => (value ? 'true' : 'false') },
    },
  );
}

const WIDTH = 960;
const HEIGHT = 540;

/** A titled chart with axes, units and a legend, rendered by ECharts' server-side SVG renderer. */
export function renderSvg(answer: ReportAnswer): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height: HEIGHT });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      title: { text: answer.title, left: 'center', top: 8 },
      ...chartOption(answer),
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

const labelled = (column: ReportColumn | undefined) =>
  column ? (column.unit ? `${column.label} (${column.unit})` : column.label) : '';

function chartOption(answer: ReportAnswer): EChartsOption {
  const { table, chart } = answer;
  const column = (key: string) => table.columns.find((c) => c.key === key);
  const values = (key: string) => table.rows.map((row) => row[key] ?? null) as (number | null)[];
  const categories = (key: string) => table.rows.map((row) => String(row[key] ?? ''));
  const legend = { top: 40, type: 'scroll' as const };

  switch (chart.kind) {
    case 'line':
    case 'bar':
      return {
        legend: { ...legend, data: chart.series.map((key) => labelled(column(key))) },
        grid: { top: 90, left: 80, right: 40, bottom: 70, containLabel: true },
        tooltip: { trigger: 'axis' },
        xAxis: {
          type: 'category',
          name: labelled(column(chart.x)),
          nameLocation: 'middle',
          nameGap: 40,
          data: categories(chart.x),
        },
        yAxis: { type: 'value', name: column(chart.series[0])?.unit ?? '' },
        series: chart.series.map((key) => ({
          type: chart.kind,
          name: labelled(column(key)),
          data: values(key),
          ...(chart.stacked ? { stack: 'total' } : {}),
        })),
      };
    case 'pie':
    case 'funnel': {
      const data = table.rows.map((row) => ({
        name: String(row[chart.x] ?? ''),
        value: row[chart.series[0]] as number,
      }));
      return {
        legend: { ...legend, data: data.map((d) => d.name) },
        tooltip: { trigger: 'item' },
        series: [
          chart.kind === 'pie'
            ? { type: 'pie', name: labelled(column(chart.series[0])), radius: ['30%', '65%'], top: 60, data }
            : {
                type: 'funnel',
                name: labelled(column(chart.series[0])),
                top: 80,
                bottom: 30,
                sort: 'none',
                data,
              },
        ],
      };
    }
    case 'heatmap': {
      const xs = [...new Set(categories(chart.x))];
      const ys = [...new Set(categories(chart.y))];
      const data = table.rows.map((row) => [
        xs.indexOf(String(row[chart.x] ?? '')),
        ys.indexOf(String(row[chart.y] ?? '')),
        (row[chart.series[0]] as number | null) ?? '-',
      ]);
      const numbers = data.map((d) => d[2]).filter((v): v is number => typeof v === 'number');
      return {
        legend: { ...legend, data: [labelled(column(chart.series[0]))] },
        grid: { top: 90, left: 100, right: 40, bottom: 110, containLabel: true },
        xAxis: {
          type: 'category',
          name: labelled(column(chart.x)),
          nameLocation: 'middle',
          nameGap: 30,
          data: xs,
        },
        yAxis: { type: 'category', name: labelled(column(chart.y)), data: ys, inverse: true },
        visualMap: {
          min: numbers.length ? Math.min(...numbers) : 0,
          max: numbers.length ? Math.max(...numbers) : 1,
          orient: 'horizontal',
          left: 'center',
          bottom: 10,
          calculable: true,
        },
        series: [{ type: 'heatmap', name: labelled(column(chart.series[0])), data, label: { show: true } }],
      };
    }
    case 'option':
      return chart.option;
  }
}
