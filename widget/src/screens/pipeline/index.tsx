/** Mount point of the digital pipeline picker (`dpSettings`): placeholder until the picker lands. */
import { useCtx } from '../../ui/context.js';

export interface PipelinePickerProps {
  /** The current signed action token (the hidden `action` field), empty for a new block. */
  value: string;
  /** Writes a new token into the hidden field (and lets Kommo know it changed). */
  onChange: (token: string) => void;
}

export function PipelinePicker(_props: PipelinePickerProps) {
  const { t } = useCtx();
  return <div class="leadmail-pipeline leadmail-muted">{t('pipeline.coming')}</div>;
}
