import { z } from 'zod';
import type { Api } from '../../http/route.js';
import { route } from '../../http/route.js';
import type { SecretBox } from '../../infra/crypto/secret-box.js';
import type { Db } from '../../infra/db/db.js';
import type { Logger } from '../../infra/log/logger.js';
import { addEvent } from '../emails/emails.repository.js';
import { parseOpenToken, PIXEL_GIF } from './open-pixel.js';

export function registerTrackingRoutes(api: Api, deps: { db: Db; box: SecretBox; log: Logger }): void {
  route(
    api,
    {
      method: 'get',
      path: '/t/o/:file',
      summary: 'Open-tracking pixel (always answers a 1×1 GIF)',
      tag: 'tracking',
      auth: 'public',
      params: z.object({ file: z.string().max(200) }),
      responseContentType: 'image/gif',
    },
    async ({ params, req, res }) => {
      const emailId = parseOpenToken(deps.box, params.file.replace(/\.gif$/, ''));
      if (emailId) {
        try {
          const r = await deps.db.query<{ account_id: number }>(
            `UPDATE emails SET opens_count = opens_count + 1, first_opened_at = coalesce(first_opened_at, now())
             WHERE id = $1 AND status = 'sent' RETURNING account_id`,
            [emailId],
          );
          const row = r.rows[0];
          if (row) await addEvent(deps.db, emailId, row.account_id, 'opened', { userAgent: req.get('user-agent') ?? null });
        } catch (err) {
          // The pixel must always render; a failed record is logged, never shown to the reader.
          deps.log.error({ err, emailId }, 'recording an open failed');
        }
      }
      res.set({ 'Content-Type': 'image/gif', 'Cache-Control': 'no-store, no-cache, must-revalidate, private', Pragma: 'no-cache' });
      res.status(200).end(PIXEL_GIF);
    },
  );
}
