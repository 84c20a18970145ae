/**
 * "Export CSV": the file needs the widget token, so it is fetched through the Transport as text
 * and handed to the browser to save (ui/save-file.ts). A byte-order mark goes first so spreadsheet
 * programs read the names and reasons as UTF-8.
 */
import { useState } from 'preact/hooks';
import { recipientsCsv } from '../../../api/admin-mailings.js';
import { useCtx } from '../../../ui/context.js';
import { errorText } from '../../../ui/errors.js';
import { saveFile } from '../../../ui/save-file.js';

export function CsvExport({ id }: { id: string }) {
  const { t, api } = useCtx();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const csv = await recipientsCsv(api.request, id);
      saveFile(`mailing-${id}.csv`, `\ufeff${csv}`, 'text/csv;charset=utf-8');
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="leadmail-admin-mailings__export">
      {error && (
        <span class="leadmail-admin-mailings__row-error" role="alert">
          {error}
        </span>
      )}
      <button type="button" class="leadmail-btn leadmail-admin-mailings__csv" disabled={busy} onClick={() => void run()}>
        {busy ? t('admin_mailings.exporting') : t('admin_mailings.export_csv')}
      </button>
    </span>
  );
}
