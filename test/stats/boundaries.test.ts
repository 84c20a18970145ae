/**
 * The statistics read model is the emails module's read side (docs/architecture.md): its SQL
 * names only the emails table; tracking's hits come through the relation tracking declares
 * (hit-reads.ts classifiedHits), and the names of templates, mailboxes and mailings from their
 * modules' services (stats.service.ts), so it joins none of their tables.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { classifiedHits } from '../../server/modules/tracking/hit-reads.js';

const read = (rel: string) => fs.readFileSync(fileURLToPath(new URL(`../../server/modules/${rel}`, import.meta.url)), 'utf8');

/** Tables of other modules the statistics once joined. */
const OTHERS = ['tracking_hits', 'mailing_recipients', 'mailings', 'templates', 'mailboxes'];

/** Tables named after FROM or JOIN in a source's SQL. */
function tablesIn(source: string): string[] {
  return [...new Set([...source.matchAll(/\b(?:FROM|JOIN)\s+([a-z_]+)\b/g)].map((m) => m[1]!))].sort();
}

describe('the statistics read model', () => {
  it('reads the emails table only; hits through tracking’s declared relation', () => {
    const tables = tablesIn(read('emails/stats-reads.ts'));
    expect(tables).toContain('emails');
    expect(tables.filter((t) => OTHERS.includes(t))).toEqual([]);
    expect(tablesIn(classifiedHits('$1', '$2', '$3'))).toEqual(['tracking_hits']);
  });

  it('the stats module imports no repository', () => {
    for (const f of ['stats/stats.service.ts', 'stats/stats.port.ts', 'stats/stats.routes.ts']) expect(read(f)).not.toMatch(/\.repository(\.js)?['"]/);
  });

  it('would see a join to another module’s table', () => {
    expect(tablesIn('SELECT 1 FROM emails e JOIN mailing_recipients r ON true LEFT JOIN templates n ON true')).toEqual(['emails', 'mailing_recipients', 'templates']);
  });
});
