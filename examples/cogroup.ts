/**
 * coGroup: compares last month's and this month's page views per page, including pages that
 * appear in only one of the two months.
 *
 *   npx tsflink run examples/cogroup.ts
 */
import { type Collector, getEnvironment } from 'tsflink';

const env = getEnvironment();
const lastMonth = env.fromElements<[string, number]>(['/home', 120], ['/about', 30], ['/blog', 75], ['/home', 5]);
const thisMonth = env.fromElements<[string, number]>(['/home', 140], ['/blog', 60], ['/pricing', 42]);

const change = lastMonth
  .coGroup(thisMonth)
  .where(0)
  .equalTo(0)
  .using((before, after, out: Collector<[string, number, number, number]>) => {
    let page = '';
    let was = 0;
    let now = 0;
    for (const [p, n] of before) {
      page = p;
      was += n;
    }
    for (const [p, n] of after) {
      page = p;
      now += n;
    }
    out.collect([page, was, now, now - was]);
  });

change.output();
await env.execute({ jobName: 'Page view change' });
