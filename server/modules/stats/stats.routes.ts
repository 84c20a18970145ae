/** The statistics page's endpoints: a time series and a breakdown, both scoped to the caller. */
import { StatsBreakdown, StatsBreakdownQuery, StatsSeries, StatsSeriesQuery } from '../../../shared/schemas/stats.js';
import type { Api } from '../../http/route.js';
import { route } from '../../http/route.js';
import type { StatsService } from './stats.service.js';

export function registerStatsRoutes(api: Api, stats: StatsService): void {
  route(
    api,
    {
      method: 'get',
      path: '/api/stats/series',
      summary: 'Sent, failed, human and machine opens and clicks per day or hour of a period (the caller’s mails; an administrator’s: the account’s)',
      tag: 'stats',
      auth: 'widget',
      query: StatsSeriesQuery,
      response: StatsSeries,
    },
    ({ auth, query }) => stats.series(auth, query),
  );
  route(
    api,
    {
      method: 'get',
      path: '/api/stats/breakdown',
      summary: 'The same counts per template, mailbox or mailing, with their names',
      tag: 'stats',
      auth: 'widget',
      query: StatsBreakdownQuery,
      response: StatsBreakdown,
    },
    ({ auth, query }) => stats.breakdown(auth, query),
  );
}
