import type { Context } from 'hono';
import type { Child, FC, PropsWithChildren } from 'hono/jsx';
import { CSRF_FIELD } from './csrf';
import type { DashboardEnv } from './session';
import { formatDollars, microsOf } from '../usage/money';

const NAV = [
  { href: '/dashboard/keys', label: 'Keys' },
  { href: '/dashboard/providers', label: 'Providers' },
  { href: '/dashboard/models', label: 'Models & prices' },
  { href: '/dashboard/accounts', label: 'Accounts' },
  { href: '/dashboard/usage', label: 'Usage' },
  { href: '/dashboard/requests', label: 'Requests' },
  { href: '/dashboard/images', label: 'Image tasks' },
] as const;

export interface Flash {
  kind: 'ok' | 'error';
  message: string;
}

/** Flash messages travel in the query string of the redirect after a form post (?ok=… or ?error=…). */
export const flashOf = (c: Context<DashboardEnv>): Flash | null => {
  const error = c.req.query('error');
  if (error) return { kind: 'error', message: error };
  const ok = c.req.query('ok');
  return ok ? { kind: 'ok', message: ok } : null;
};

export const withFlash = (path: string, flash: Flash): string => `${path}${path.includes('?') ? '&' : '?'}${flash.kind}=${encodeURIComponent(flash.message)}`;

const CsrfField: FC<{ token: string }> = ({ token }) => <input type="hidden" name={CSRF_FIELD} value={token} />;

/** `base` is the relay's BASE_PATH ('' at the root): every link here is root-relative. */
export const Document: FC<PropsWithChildren<{ title: string; base: string }>> = ({ title, base, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="referrer" content="same-origin" />
      <title>{title}</title>
      <link rel="stylesheet" href={`${base}/dashboard/assets/app.css`} />
      <script src={`${base}/dashboard/assets/app.js`} defer></script>
    </head>
    <body>{children}</body>
  </html>
);

interface LayoutProps {
  title: string;
  base: string;
  active: string;
  csrfToken: string;
  flash?: Flash | null;
}

export const Layout: FC<PropsWithChildren<LayoutProps>> = ({ title, base, active, csrfToken, flash, children }) => (
  <Document title={`${title} · polyrelay`} base={base}>
    <header class="top">
      <span class="brand">polyrelay</span>
      {NAV.map((item) => (
        <a href={`${base}${item.href}`} class={item.href === active ? 'active' : undefined}>
          {item.label}
        </a>
      ))}
      <a href={`${base}/docs`}>Docs</a>
      <form method="post" action={`${base}/dashboard/logout`}>
        <CsrfField token={csrfToken} />
        <button type="submit">Log out</button>
      </form>
    </header>
    <main>
      <h1>{title}</h1>
      {flash ? <div class={`flash ${flash.kind}`}>{flash.message}</div> : null}
      {children}
    </main>
  </Document>
);

/** A POST form with the CSRF field; `confirm` asks before submitting (client script). */
export const PostForm: FC<PropsWithChildren<{ action: string; token: string; confirm?: string; inline?: boolean }>> = ({ action, token, confirm, inline, children }) => (
  <form method="post" action={action} class={inline ? 'inline' : undefined} data-confirm={confirm}>
    <CsrfField token={token} />
    {children}
  </form>
);

export const Pill: FC<{ tone?: 'good' | 'bad' | 'warn'; children: Child }> = ({ tone, children }) => <span class={tone ? `pill ${tone}` : 'pill'}>{children}</span>;

export const formatIso = (iso: string | null): string => (iso === null ? '—' : iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z'));

export const formatNumber = (value: number): string => value.toLocaleString('en-US');

export const formatUsd = (dollars: number): string => formatDollars(microsOf(dollars));
