/**
 * The page that plays Kommo (widget/dev/host.html + kommo-host.js) and the widget built from
 * source, served on their own origin, as Kommo would serve them. Like Kommo, this server also
 * issues the widget's JWT (signed with the integration's client secret) that `$authorizedAjax`
 * sends to the backend, which runs on another origin: CORS and the token are real.
 * Used by `npm run sandbox` and by the browser tests (test/widget).
 */
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import jwt from 'jsonwebtoken';
import { buildWidget, repoRoot, type WidgetFiles } from '../../widget/build/build.js';

export interface HostUser {
  id: number;
  name: string;
  isAdmin: boolean;
}

export interface HostEntity {
  id: number;
  name: string;
}

export interface WidgetHostConfig {
  /** The leadmail backend the widget is built against. */
  backendUrl: string;
  /** The integration's client secret and the token audience (origin of its redirect URI). */
  secret: string;
  audience: string;
  account: { id: number; subdomain: string };
  users: HostUser[];
  leads: HostEntity[];
  contacts: HostEntity[];
  companies: HostEntity[];
}

export interface RunningWidgetHost {
  url: string;
  /** Sets what the page plays and rebuilds the widget against `backendUrl`. */
  configure(config: WidgetHostConfig): Promise<void>;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
};

/** `rebuildOnLoad`: rebuild the widget each time the page is loaded, so an edit shows on reload (the sandbox). */
export async function startWidgetHost(opts: { port?: number; host?: string; rebuildOnLoad?: boolean } = {}): Promise<RunningWidgetHost> {
  const root = repoRoot();
  const req = createRequire(path.join(root, 'package.json'));
  const statics: Record<string, string> = {
    '/host.html': path.join(root, 'widget', 'dev', 'host.html'),
    '/kommo-host.js': path.join(root, 'widget', 'dev', 'kommo-host.js'),
    '/vendor/jquery.js': req.resolve('jquery/dist/jquery.js'),
    '/vendor/underscore.js': req.resolve('underscore/underscore.js'),
    '/vendor/require.js': req.resolve('requirejs/require.js'),
  };
  let config: WidgetHostConfig | null = null;
  let files: WidgetFiles = {};

  const send = (res: http.ServerResponse, status: number, type: string, body: string | Uint8Array) => {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    res.end(body);
  };

  const server = http.createServer((rq, res) => {
    const url = new URL(rq.url ?? '/', 'http://host');
    const p = url.pathname;
    if (p === '/host.html' && opts.rebuildOnLoad && config) {
      const backendUrl = config.backendUrl;
      buildWidget({ backendUrl }).then(
        (f) => {
          files = f;
          send(res, 200, TYPES['.html']!, fs.readFileSync(statics[p]!));
        },
        // A syntax error while editing: say so on the page instead of serving the old widget.
        (err: Error) => send(res, 500, 'text/plain; charset=utf-8', `widget build failed:\n${err.message}`),
      );
      return;
    }
    if (p === '/') {
      res.writeHead(302, { Location: '/host.html' }).end();
      return;
    }
    if (p === '/favicon.ico') {
      send(res, 200, 'image/png', files['images/logo_min.png'] ?? new Uint8Array());
      return;
    }
    const file = statics[p];
    if (file) {
      send(res, 200, TYPES[path.extname(file)] ?? 'application/octet-stream', fs.readFileSync(file));
      return;
    }
    if (p.startsWith('/widget/')) {
      const content = files[p.slice('/widget/'.length)];
      if (content) send(res, 200, TYPES[path.extname(p)] ?? 'application/octet-stream', content);
      else send(res, 404, 'text/plain', 'not found');
      return;
    }
    if (!config) {
      send(res, 503, 'text/plain', 'the host is not configured yet');
      return;
    }
    if (p === '/dev/config.json') {
      const { secret: _s, audience: _a, ...pub } = config;
      send(res, 200, TYPES['.json']!, JSON.stringify({ ...pub, widgetPath: '/widget', widgetCode: 'leadmail' }));
      return;
    }
    if (p === '/dev/token') {
      // Kommo's disposable widget token (kommo-reference.md): HS256, the integration's secret.
      const user = config.users.find((u) => u.id === Number(url.searchParams.get('user'))) ?? config.users[0];
      if (!user) {
        send(res, 400, TYPES['.json']!, JSON.stringify({ error: 'user: unknown' }));
        return;
      }
      const now = Math.floor(Date.now() / 1000);
      const { subdomain, id } = config.account;
      const token = jwt.sign(
        { iss: `https://${subdomain}.kommo.com`, jti: `${now}-${Math.random()}`, account_id: id, subdomain, client_uuid: 'sandbox', user_id: user.id, is_admin: user.isAdmin, iat: now, nbf: now, exp: now + 1800 },
        config.secret,
        { algorithm: 'HS256', audience: config.audience, noTimestamp: true },
      );
      send(res, 200, TYPES['.json']!, JSON.stringify({ token, exp: now + 1800 }));
      return;
    }
    send(res, 404, 'text/plain', 'not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async configure(c) {
      files = await buildWidget({ backendUrl: c.backendUrl });
      config = c;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
