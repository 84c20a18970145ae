/** "‹ 21–40 of 1,234 ›" under a long list: every paged list of the admin pages uses it. */
import { useCtx } from './context.js';

export interface PageInfo {
  page: number;
  limit: number;
  total: number;
}

export function Pager({ info, onPage }: { info: PageInfo; onPage(page: number): void }) {
  const { t } = useCtx();
  const { page, limit, total } = info;
  if (total <= limit && page === 1) return null;
  const from = total === 0 ? 0 : (page - 1) * limit + 1;
  const to = Math.min(total, page * limit);
  const last = Math.max(1, Math.ceil(total / limit));
  return (
    <div class="leadmail-pager">
      <button type="button" class="leadmail-btn leadmail-pager__prev" disabled={page <= 1} onClick={() => onPage(page - 1)} aria-label={t('common.prev_page')}>
        ‹
      </button>
      <span class="leadmail-pager__range">{t('common.page_range', { from, to, total })}</span>
      <button type="button" class="leadmail-btn leadmail-pager__next" disabled={page >= last} onClick={() => onPage(page + 1)} aria-label={t('common.next_page')}>
        ›
      </button>
    </div>
  );
}
