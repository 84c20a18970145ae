/** The entity picker's search: leads, contacts or companies by name (or id), a short list. */
import { z } from 'zod';
import { EntityType } from './common.js';
import { fromDigits } from './strings.js';

export const ENTITY_SEARCH_MAX = 50;

export const EntitySearchParams = z.object({ type: EntityType });

export const EntitySearchQuery = z.object({
  /** Part of the name (Kommo also matches a contact's phone and email); digits also find that id. */
  query: z.string({ message: 'is required' }).trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
  limit: fromDigits(
    z
      .number({ message: `must be a whole number from 1 to ${ENTITY_SEARCH_MAX}` })
      .int(`must be a whole number from 1 to ${ENTITY_SEARCH_MAX}`)
      .min(1, `must be a whole number from 1 to ${ENTITY_SEARCH_MAX}`)
      .max(ENTITY_SEARCH_MAX, `must be a whole number from 1 to ${ENTITY_SEARCH_MAX}`),
  ).optional(),
});

/** One hit: what tells two records of the same name apart in a short list. */
export const EntitySearchHit = z.object({
  id: z.number(),
  name: z.string(),
  /** Leads: the pipeline and its stage, and the sale price (null when none). */
  pipeline: z.string().optional(),
  status: z.string().optional(),
  price: z.number().nullable().optional(),
  /** Contacts: the first valid address, null when none. */
  email: z.string().nullable().optional(),
});
export type EntitySearchHit = z.infer<typeof EntitySearchHit>;
