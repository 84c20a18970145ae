import { z } from 'zod';
import { EntityType } from './common.js';
import { fromDigits } from './strings.js';

export const EntityParams = z.object({
  type: EntityType,
  id: fromDigits(z.number({ message: 'must be an entity id' }).int().positive({ message: 'must be an entity id' })),
});

/** A contact of the entity and its valid addresses (empty: it cannot receive mail). */
export const EntityRecipient = z.object({
  contactId: z.number(),
  name: z.string(),
  isMain: z.boolean(),
  emails: z.array(z.string()),
});
export type EntityRecipient = z.infer<typeof EntityRecipient>;
