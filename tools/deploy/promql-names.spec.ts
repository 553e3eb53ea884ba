import {
  PromqlNameError,
  exportedMetricNames,
  metricNamesOf,
  metricNamesOfVariableQuery,
} from './promql-names';

describe('metricNamesOf', () => {
  it('when an expression aggregates, matches and joins, then only the metric names come out', () => {
    const expr = `
      histogram_quantile(0.95, sum by (service, le) (
        rate(toolkit_http_request_duration_seconds_bucket{service=~"$service", route!~"/healthz|/readyz"}[$__rate_interval])
      ))
      / on (service) group_left (instance)
      max without (job) (up offset 15m == bool 1)
      and ignoring(error_class) topk(5, x:recorded:rate5m @ start())
      or label_replace(vector(1), "service", "gateway", "", "") unless absent(foo_total{a='b'}[5m:1m])
    `;

    expect(metricNamesOf(expr)).toEqual([
      'foo_total',
      'toolkit_http_request_duration_seconds_bucket',
      'up',
      'x:recorded:rate5m',
    ]);
  });

  it('when names hide in strings, label lists, durations or variables, then they are not taken for metrics', () => {
    const expr =
      'sum by (toolkit_fake_label) (rate(real_total{topic="toolkit_not_a_metric", x=`y`}[${__range}])) * 1e-3 + 0x1F - 1h30m' +
      ' / count_values("toolkit_also_not", real_gauge) # toolkit_in_a_comment';

    expect(metricNamesOf(expr)).toEqual(['real_gauge', 'real_total']);
  });

  it('when a selector names its metric with __name__, then the name is read; a regex name is refused', () => {
    expect(metricNamesOf('rate({__name__="by_name_total", job="x"}[5m])')).toEqual([
      'by_name_total',
    ]);
    expect(() => metricNamesOf('{__name__=~"toolkit_.+"}')).toThrow(PromqlNameError);
  });

  it('when brackets or strings are unbalanced, then it refuses the expression', () => {
    expect(() => metricNamesOf('sum(rate(x[5m])')).not.toThrow();
    expect(() => metricNamesOf('x{a="b}')).toThrow(PromqlNameError);
    expect(() => metricNamesOf('rate(x[5m)')).toThrow(PromqlNameError);
  });
});

describe('metricNamesOfVariableQuery', () => {
  it('when a Grafana variable reads label values, then the metric of its expression is taken and the label name is not', () => {
    expect(
      metricNamesOfVariableQuery(
        'label_values(toolkit_executor_executions_total{a="b"}, platform)',
      ),
    ).toEqual(['toolkit_executor_executions_total']);
    expect(metricNamesOfVariableQuery('label_values(platform)')).toEqual([]);
    expect(metricNamesOfVariableQuery('query_result(topk(3, up))')).toEqual(['up']);
    expect(() => metricNamesOfVariableQuery('something_else(x)')).toThrow(PromqlNameError);
  });
});

describe('exportedMetricNames', () => {
  it('when a page declares counters, gauges, histograms and summaries, then their series names are listed', () => {
    const page = [
      '# HELP a_total A counter.',
      '# TYPE a_total counter',
      'a_total{x="1"} 3',
      '# TYPE b gauge',
      '# TYPE c_seconds histogram',
      'c_seconds_bucket{le="+Inf"} 1',
      '# TYPE d summary',
    ].join('\n');

    expect([...exportedMetricNames(page)].sort()).toEqual([
      'a_total',
      'b',
      'c_seconds',
      'c_seconds_bucket',
      'c_seconds_count',
      'c_seconds_sum',
      'd',
      'd_count',
      'd_sum',
    ]);
  });
});
