/**
 * Small building blocks for text and number fields, shared by the server and the widget.
 */
import { z } from 'zod';

/** Text that ends up in a mail header (a sender's name): a line break there would start a new header. */
export const OneLine = z.string().trim().regex(/^[^\r\n]*$/, 'must be one line (no line breaks)');

/**
 * Numbers from a query string, a path or a form arrive as text: a string of digits becomes its
 * number, and anything else is left for the number schema to refuse. `z.coerce.number()` would
 * also turn `true` into 1 and `[587]` into 587.
 */
export const digitsToNumber = (value: unknown): unknown => (typeof value === 'string' && /^-?\d{1,15}$/.test(value.trim()) ? Number(value) : value);

/** A number schema that also accepts its digits as a string (see digitsToNumber). */
export const fromDigits = <T extends z.ZodType<number>>(schema: T) => z.preprocess(digitsToNumber, schema);
