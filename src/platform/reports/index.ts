export * from './report-answer';
export * from './report-endpoint.decorator';
export * from './report-figures';
export * from './report-period';
export * from './report-query.dto';
export { renderCsv, renderSvg } from './report-rendering';
