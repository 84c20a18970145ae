/** Every migration, in order. Names are timestamps: never edit one that has landed. */
import * as m20261122190000 from './20261122190000-initial.js';
import * as m20261122201500 from './20261122201500-automation.js';
import * as m20261123090000 from './20261123090000-tracking-outcome.js';
import * as m20261123091500 from './20261123091500-trigger-execution-lease.js';
import * as m20261123100000 from './20261123100000-tracking-event-key.js';
import * as m20261123110000 from './20261123110000-dp-event-lease.js';
import * as m20261123120000 from './20261123120000-kommo-rate-limit.js';
import * as m20261129200200 from './20261129200200-tracking-caps.js';
import * as m20261129200300 from './20261129200300-imap-require-starttls.js';
import * as m20261129200100 from './20261129200100-pipeline-actions.js';
import * as m20261129200500 from './20261129200500-recipient-outcome.js';
import * as m20261129200700 from './20261129200700-crm-hardening.js';
import * as m20261129200400 from './20261129200400-instance-leases.js';
import * as m20261129201000 from './20261129201000-mailings.js';
import * as m20261129203000 from './20261129203000-tracking-sweep.js';
import * as m20261129204000 from './20261129204000-drain-priority.js';
import * as m20261130000500 from './20261130000500-attachment-refs-account.js';
import * as m20261130001000 from './20261130001000-mailings-account-keys.js';
import * as m20261130020000 from './20261130020000-resolve-lease-owner.js';
import * as m20261130030000 from './20261130030000-email-search.js';
import * as m20261130031000 from './20261130031000-stats-indexes.js';
import * as m20261130033000 from './20261130033000-send-check.js';

export const migrations: { name: string; up: string }[] = [
  { name: '20261122190000-initial', up: m20261122190000.up },
  { name: '20261122201500-automation', up: m20261122201500.up },
  { name: '20261123090000-tracking-outcome', up: m20261123090000.up },
  { name: '20261123091500-trigger-execution-lease', up: m20261123091500.up },
  { name: '20261123100000-tracking-event-key', up: m20261123100000.up },
  { name: '20261123110000-dp-event-lease', up: m20261123110000.up },
  { name: '20261123120000-kommo-rate-limit', up: m20261123120000.up },
  { name: '20261129200200-tracking-caps', up: m20261129200200.up },
  { name: '20261129200300-imap-require-starttls', up: m20261129200300.up },
  { name: '20261129200100-pipeline-actions', up: m20261129200100.up },
  { name: '20261129200500-recipient-outcome', up: m20261129200500.up },
  { name: '20261129200700-crm-hardening', up: m20261129200700.up },
  { name: '20261129200400-instance-leases', up: m20261129200400.up },
  { name: '20261129201000-mailings', up: m20261129201000.up },
  { name: '20261129203000-tracking-sweep', up: m20261129203000.up },
  { name: '20261129204000-drain-priority', up: m20261129204000.up },
  { name: '20261130000500-attachment-refs-account', up: m20261130000500.up },
  { name: '20261130001000-mailings-account-keys', up: m20261130001000.up },
  { name: '20261130020000-resolve-lease-owner', up: m20261130020000.up },
  { name: '20261130030000-email-search', up: m20261130030000.up },
  { name: '20261130031000-stats-indexes', up: m20261130031000.up },
  { name: '20261130033000-send-check', up: m20261130033000.up },
];
