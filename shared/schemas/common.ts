import { z } from 'zod';
import { fromDigits } from './strings.js';

export const Uuid = z.uuid();
export const IdParams = z.object({ id: z.uuid({ message: 'must be an id (uuid)' }) });
export const EmailAddress = z.email({ message: 'must be a valid email address' }).max(254);
export const EntityType = z.enum(['leads', 'contacts', 'companies']);
export type EntityType = z.infer<typeof EntityType>;
/** Host names and IP literals; no scheme, no path. */
export const HostName = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(253)
  .regex(/^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:]+\]$/, 'must be a host name such as smtp.example.com (no scheme, no port)');
export const Port = fromDigits(z.number({ message: 'must be a port number' }).int('must be a whole number').min(1, 'must be 1–65535').max(65535, 'must be 1–65535'));
