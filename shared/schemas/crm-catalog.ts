import { z } from 'zod';

/**
 * What the trigger editor picks from, read from the account's Kommo in one call: pipelines with
 * their statuses, users, task types, the custom fields of leads, contacts and companies (with
 * their type, options, and whether "Change field" can set them) and the lead tags in use.
 */
const Named = z.object({ id: z.number(), name: z.string() });

export const CatalogField = z.object({
  id: z.number(),
  name: z.string(),
  code: z.string().nullable(),
  /** Kommo's field type: text, numeric, checkbox, select, multiselect, date, url, … */
  type: z.string(),
  enums: z.array(z.object({ id: z.number(), value: z.string() })).nullable(),
  /** False: a "Change field" trigger can only clear it ({reset}). */
  settable: z.boolean(),
});
export type CatalogField = z.infer<typeof CatalogField>;

export const CrmCatalog = z.object({
  pipelines: z.array(Named.extend({ statuses: z.array(Named) })),
  users: z.array(Named.extend({ email: z.string() })),
  /** The task types a trigger may set: Kommo's built-in ones (1 follow-up, 2 meeting). */
  taskTypes: z.array(Named.extend({ code: z.string() })),
  fields: z.object({ leads: z.array(CatalogField), contacts: z.array(CatalogField), companies: z.array(CatalogField) }),
  /** Tags of leads already in the account (new names may be typed: Kommo creates them). */
  tags: z.array(Named),
});
export type CrmCatalog = z.infer<typeof CrmCatalog>;
