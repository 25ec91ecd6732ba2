import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { basePathOf, publicPath } from '../base-path';
import type { Env } from '../env';
import { DAY_MS, dayBefore, dayOf, dayStart } from '../usage/days';
import { usageFilterSchema, type UsageFilter } from '../usage/usage-filter';
import { usageReport, type UsageReport } from '../usage/usage-report';
import { usageCsvExport } from '../admin/services/usage-export';
import { runAdminAction } from './admin-action';
import { compactNumber, compactUsd, HorizontalBarChart, StackedBarChart } from './charts';
import { flashOf, formatNumber, formatUsd, Layout, type Flash } from './layout';
import type { DashboardEnv } from './session';

const DEFAULT_DAYS = 30;
/** Longer ranges are charted on the days that have data only, so the SVG stays small. */
const MAX_CHART_DAYS = 400;

const COLORS = { requests: '#2f6fde', input: '#2f6fde', output: '#f08c2e', cost: '#1f8a4c' };

/** The query's filters; a bad value is reported and the defaults (last 30 days) are used instead. */
/** Dates are typed as YYYY-MM-DD text, not `type="date"`, which browsers show in their locale (mm/dd/yyyy) beside the ISO times elsewhere. */
const filterFrom = (query: Record<string, string>, now: number): { filter: UsageFilter; flash: Flash | null } => {
  const raw = Object.fromEntries(['keyId', 'accountId', 'model', 'from', 'to'].flatMap((name) => (query[name] ? [[name, query[name]]] : [])));
  const parsed = usageFilterSchema.safeParse(raw);
  const fallback = { from: dayBefore(now, DEFAULT_DAYS - 1), to: dayOf(now) };
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { filter: fallback, flash: { kind: 'error', message: `${issue?.path.join('.') ?? 'filter'}: ${issue?.message ?? 'invalid'}` } };
  }
  const to = parsed.data.to ?? dayOf(now);
  const from = parsed.data.from ?? dayBefore(dayStart(to), DEFAULT_DAYS - 1);
  return { filter: { ...parsed.data, from, to }, flash: null };
};

const daysOf = (filter: UsageFilter, report: UsageReport): string[] => {
  const from = dayStart(filter.from ?? dayOf(Date.now()));
  const to = dayStart(filter.to ?? dayOf(Date.now()));
  const count = Math.floor((to - from) / DAY_MS) + 1;
  if (count > MAX_CHART_DAYS) return [...new Set(report.data.map((row) => row.day ?? ''))].sort();
  return Array.from({ length: count }, (_, index) => dayOf(from + index * DAY_MS));
};

interface Sums {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cost: number;
}

const sumBy = (report: UsageReport, field: 'day' | 'model'): Map<string, Sums> => {
  const sums = new Map<string, Sums>();
  for (const row of report.data) {
    const name = row[field] ?? '';
    const sum = sums.get(name) ?? { requests: 0, inputTokens: 0, outputTokens: 0, cost: 0 };
    sum.requests += row.requests;
    sum.inputTokens += row.inputTokens;
    sum.outputTokens += row.outputTokens;
    sum.cost += row.cost;
    sums.set(name, sum);
  }
  return sums;
};

const filterChoices = async (env: Env) => {
  const [keys, models] = await env.DB.batch<{ id: string; name: string }>([
    env.DB.prepare('SELECT id, name FROM api_keys ORDER BY name LIMIT 500'),
    env.DB.prepare('SELECT DISTINCT model AS id, model AS name FROM usage_daily ORDER BY model LIMIT 500'),
  ]);
  return { keys: keys?.results ?? [], models: models?.results ?? [] };
};

const queryString = (filter: UsageFilter): string =>
  new URLSearchParams(Object.entries(filter).filter((entry): entry is [string, string] => typeof entry[1] === 'string')).toString();

/** /dashboard/usage: requests, tokens and cost per day and per model from the daily rollup, plus the CSV export. */
export const usagePages = new Hono<DashboardEnv>()
  .get('/', async (c) => {
    const now = Date.now();
    const { filter, flash } = filterFrom(c.req.query(), now);
    const [report, choices] = await Promise.all([usageReport(c.env, filter, ['day', 'model']), filterChoices(c.env)]);
    const days = daysOf(filter, report);
    const byDay = sumBy(report, 'day');
    const byModel = [...sumBy(report, 'model').entries()];
    const perDay = (pick: (sum: Sums) => number) => days.map((day) => {
      const sum = byDay.get(day);
      return sum === undefined ? 0 : pick(sum);
    });
    const { totals } = report;
    return c.html(
      <Layout base={basePathOf(c.env)} title="Usage" active="/dashboard/usage" csrfToken={c.var.csrfToken} flash={flash ?? flashOf(c)}>
        <form method="get" action={publicPath(c.env, '/dashboard/usage')} class="card" id="usage-filter">
          <div class="grid">
            <label>
              Key
              <select name="keyId">
                <option value="">all keys</option>
                {choices.keys.map((key) => (
                  <option value={key.id} selected={filter.keyId === key.id}>
                    {key.name} ({key.id})
                  </option>
                ))}
              </select>
            </label>
            <label>
              Model
              <select name="model">
                <option value="">all models</option>
                {choices.models.map((model) => (
                  <option value={model.id} selected={filter.model === model.id}>
                    {model.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              From (UTC)
              <input name="from" value={filter.from} placeholder="YYYY-MM-DD" pattern="\d{4}-\d{2}-\d{2}" />
            </label>
            <label>
              To (UTC)
              <input name="to" value={filter.to} placeholder="YYYY-MM-DD" pattern="\d{4}-\d{2}-\d{2}" />
            </label>
            {filter.accountId ? <input type="hidden" name="accountId" value={filter.accountId} /> : null}
            <div>
              <button type="submit">Apply</button>{' '}
              <a class="button secondary" id="csv-export" href={publicPath(c.env, `/dashboard/usage/export.csv?${queryString(filter)}`)}>
                Export CSV
              </a>
            </div>
          </div>
        </form>
        <p id="usage-totals">
          <strong>{formatNumber(totals.requests)}</strong> requests · <strong>{formatNumber(totals.inputTokens)}</strong> input tokens ·{' '}
          <strong>{formatNumber(totals.outputTokens)}</strong> output tokens · <strong>{formatUsd(totals.cost)}</strong>
          {filter.accountId ? <span class="muted"> · account {filter.accountId}</span> : null}
        </p>
        <div class="charts">
          <StackedBarChart id="chart-requests" title="Requests per day" categories={days} categoryLabel={(day) => day.slice(5)} format={compactNumber}
            series={[{ label: 'requests', color: COLORS.requests, values: perDay((sum) => sum.requests) }]} />
          <StackedBarChart id="chart-tokens" title="Tokens per day" categories={days} categoryLabel={(day) => day.slice(5)} format={compactNumber}
            series={[
              { label: 'input', color: COLORS.input, values: perDay((sum) => sum.inputTokens) },
              { label: 'output', color: COLORS.output, values: perDay((sum) => sum.outputTokens) },
            ]} />
          <StackedBarChart id="chart-cost" title="Cost per day (USD)" categories={days} categoryLabel={(day) => day.slice(5)} format={compactUsd}
            emptyText="no cost in this range (a model without a price costs $0)"
            series={[{ label: 'cost', color: COLORS.cost, values: perDay((sum) => sum.cost) }]} />
          <HorizontalBarChart id="chart-model-requests" title="Requests by model" color={COLORS.requests} format={compactNumber}
            rows={byModel.map(([model, sum]) => ({ label: model, value: sum.requests }))} />
          <HorizontalBarChart id="chart-model-tokens" title="Tokens by model (input + output)" color={COLORS.output} format={compactNumber}
            rows={byModel.map(([model, sum]) => ({ label: model, value: sum.inputTokens + sum.outputTokens }))} />
          <HorizontalBarChart id="chart-model-cost" title="Cost by model (USD)" color={COLORS.cost} format={compactUsd}
            rows={byModel.map(([model, sum]) => ({ label: model, value: sum.cost }))} />
        </div>
        {report.truncated ? <p class="flash error">More than 10,000 day × model groups matched: narrow the range.</p> : null}
      </Layout>,
    );
  })
  .get('/export.csv', async (c) => {
    const query = Object.fromEntries(Object.entries(c.req.query()).filter(([name, value]) => ['keyId', 'accountId', 'model', 'from', 'to'].includes(name) && value !== ''));
    // The admin API's own export, reached with the session instead of the bearer token; it streams page by page.
    const result = await runAdminAction(() => usageCsvExport(c.env, query));
    return result.ok ? result.value : c.json({ error: { message: result.message } }, result.status as ContentfulStatusCode);
  });
