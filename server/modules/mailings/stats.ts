/**
 * Per-mailing statistics in a shape a chart draws directly: totals, and one row per hour with
 * every series present. Sends come from the emails module, opens and clicks from tracking, both
 * through the MailingReads port, asked by the mailing's id.
 */
import type { MailingStats } from '../../../shared/schemas/mailing.js';
import type { MailingKey, MailingReads } from './delivery.port.js';

type Point = MailingStats['hourly'][number];

export async function statsOf(reads: MailingReads, m: MailingKey): Promise<MailingStats> {
  const [sends, engagement, hits] = await Promise.all([reads.sendsPerHour(m), reads.engagementOf(m), reads.hitsPerHour(m)]);
  const byHour = new Map<string, Point>();
  for (const row of [...sends.hourly, ...hits]) {
    const hour = row.hour.toISOString();
    let point = byHour.get(hour);
    if (!point) {
      point = { hour, sent: 0, failed: 0, humanOpens: 0, machineOpens: 0, humanClicks: 0, machineClicks: 0 };
      byHour.set(hour, point);
    }
    point[row.series] += row.n;
  }
  return {
    totals: { sent: sends.sent, failed: sends.failed, ...engagement },
    hourly: [...byHour.values()].sort((a, b) => (a.hour < b.hour ? -1 : 1)),
  };
}
