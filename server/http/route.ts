/**
 * Every route is declared through `route()`: it validates params/query/body with zod at the edge,
 * and records the declaration so /api/openapi.json documents exactly what is mounted
 * (test/api/openapi.test.ts walks Express's own router to prove no route is missing).
 */
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { AppError, ErrorCode, invalid } from '../errors.js';
import type { AuthContext } from './auth.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteSpec<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> {
  method: Method;
  /** Express path, e.g. /api/mailboxes/:id */
  path: string;
  summary: string;
  tag: string;
  /** 'widget' = X-Auth-Token required; 'public' = no auth (OAuth callback, tracking, health). */
  auth: 'widget' | 'public';
  params?: P;
  query?: Q;
  body?: B;
  /** 'multipart' when the body is multipart/form-data (file uploads). */
  bodyType?: 'json' | 'multipart';
  response?: z.ZodType;
  /** Non-JSON responses (images, redirects, CSV), described for the OpenAPI document (with `response` as its schema when given). */
  responseContentType?: string;
  successStatus?: number;
  middleware?: RequestHandler[];
}

export interface RouteContext<B, Q, P> {
  req: Request;
  res: Response;
  body: B;
  query: Q;
  params: P;
  /** Present on 'widget' routes. */
  auth: AuthContext;
}

export type AnyRouteSpec = RouteSpec<z.ZodType, z.ZodType, z.ZodType>;

/** An Express app plus the declarations of the routes mounted on it (one per app instance). */
export interface Api {
  app: Express;
  routes: AnyRouteSpec[];
  /** Verifies X-Auth-Token and sets res.locals.auth; prepended to every 'widget' route. */
  authenticate: RequestHandler;
  /** The JSON body parser of 'widget' routes, run after `authenticate`; public routes bring their own (server/public). */
  parseBody?: RequestHandler;
}

export function zodToAppError(err: z.ZodError, where: string): AppError {
  const issues = err.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  const first = issues[0];
  return new AppError(ErrorCode.VALIDATION, first ? `${first.path}: ${first.message}` : 'invalid request', { issues });
}

/**
 * PostgreSQL text cannot hold a NUL byte: a string with one fails the INSERT with a 500 deep
 * inside a service. Refused here once, for every field of every route, naming the field.
 * Iterative, so a deeply nested JSON body cannot exhaust the stack.
 */
function assertNoNulBytes(value: unknown, where: string): void {
  const stack: Array<[unknown, string]> = [[value, where]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\0')) throw invalid(path, 'must not contain a NUL byte (\\0)');
    } else if (Array.isArray(v)) {
      // By index, and only what can hold a string: a mailing's 100,000 ids cost no path strings.
      for (let i = 0; i < v.length; i++) {
        const child: unknown = v[i];
        if (typeof child === 'string' || (child && typeof child === 'object')) stack.push([child, `${path}.${i}`]);
      }
    } else if (v && typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v))) {
      for (const [k, child] of Object.entries(v)) {
        if (k.includes('\0')) throw invalid(path, 'must not contain a NUL byte (\\0) in a key');
        stack.push([child, `${path}.${k}`]);
      }
    }
  }
}

function parse<T extends z.ZodType>(schema: T | undefined, value: unknown, where: string): z.infer<T> {
  assertNoNulBytes(value, where);
  if (!schema) return value as z.infer<T>;
  const r = schema.safeParse(value);
  if (!r.success) throw zodToAppError(r.error, where);
  return r.data;
}

type Handler<B, Q, P> = (ctx: RouteContext<B, Q, P>) => Promise<unknown> | unknown;

export function route<B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, P extends z.ZodType = z.ZodType>(
  api: Api,
  spec: RouteSpec<B, Q, P>,
  handler: Handler<z.infer<B>, z.infer<Q>, z.infer<P>>,
): void {
  api.routes.push(spec as unknown as AnyRouteSpec);
  const wrapped = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const ctx: RouteContext<z.infer<B>, z.infer<Q>, z.infer<P>> = {
        req,
        res,
        params: parse(spec.params, req.params, 'params'),
        query: parse(spec.query, req.query, 'query'),
        body: parse(spec.body, spec.bodyType === 'multipart' ? parseMultipartFields(req.body) : req.body ?? {}, 'body'),
        auth: res.locals.auth as AuthContext,
      };
      const result = await handler(ctx);
      if (res.headersSent) return;
      if (result === undefined) {
        res.status(204).end();
        return;
      }
      res.status(spec.successStatus ?? 200).json(result);
    } catch (err) {
      next(err);
    }
  };
  const auth = spec.auth === 'widget' ? [api.authenticate, ...(api.parseBody ? [api.parseBody] : [])] : [];
  api.app[spec.method](spec.path, ...auth, ...(spec.middleware ?? []), wrapped);
}

/** Multipart text fields arrive as strings; a field named "json" carries the structured body. */
function parseMultipartFields(body: unknown): unknown {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b.json === 'string') {
    try {
      return JSON.parse(b.json);
    } catch {
      throw new AppError(ErrorCode.VALIDATION, 'body.json: is not valid JSON');
    }
  }
  return b;
}
