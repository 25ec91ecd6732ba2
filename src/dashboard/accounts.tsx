import { Hono } from 'hono';
import { basePathOf, publicPath } from '../base-path';
import type { Env } from '../env';
import { randomId } from '../protocols/shared/ids';
import { accountCreateSchema, topupSchema } from '../admin/account-schema';
import { accountLedger, createAccount, creditAccount, findAccountById, listAccountPage, topupReference } from '../admin/services/accounts';
import { parseAdminInput } from '../admin/validate';
import { runAdminAction } from './admin-action';
import { numberField, readForm, textField } from './form';
import { flashOf, formatIso, formatUsd, Layout, Pill, PostForm, withFlash } from './layout';
import type { DashboardEnv } from './session';

const PAGE_SIZE = 100;
const accountPath = (env: Env, id: string) => publicPath(env, `/dashboard/accounts/${encodeURIComponent(id)}`);

/** /dashboard/accounts: balances (always the ledger's sum), top-ups and the ledger behind them. */
export const accountPages = new Hono<DashboardEnv>()
  .get('/', async (c) => {
    const cursor = c.req.query('cursor') ?? null;
    const { data: accounts, nextCursor } = await listAccountPage(c.env, cursor, PAGE_SIZE);
    return c.html(
      <Layout base={basePathOf(c.env)} title="Accounts" active="/dashboard/accounts" csrfToken={c.var.csrfToken} flash={flashOf(c)}>
        <table>
          <thead>
            <tr>
              <th>Account</th>
              <th class="num">Balance</th>
              <th class="num">Ledger entries</th>
              <th class="num">Keys</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {accounts.map((account) => (
              <tr>
                <td>
                  <a href={accountPath(c.env, account.id)}>{account.name}</a>
                  <div class="small muted">{account.id}</div>
                </td>
                <td class="num">{formatUsd(account.balance)}</td>
                <td class="num">{account.ledgerEntries}</td>
                <td class="num">{account.keys}</td>
                <td class="small">{formatIso(account.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {nextCursor !== null ? (
          <p>
            <a href={publicPath(c.env, `/dashboard/accounts?cursor=${encodeURIComponent(nextCursor)}`)}>Next page</a>
          </p>
        ) : null}
        <h2>Create an account</h2>
        <div class="card">
          <PostForm action={publicPath(c.env, '/dashboard/accounts')} token={c.var.csrfToken}>
            <div class="grid">
              <label>
                Name
                <input name="name" required />
              </label>
              <div>
                <button type="submit">Create account</button>
              </div>
            </div>
          </PostForm>
        </div>
      </Layout>,
    );
  })
  .post('/', async (c) => {
    const form = await readForm(c);
    const result = await runAdminAction(() => createAccount(c.env, parseAdminInput({ name: textField(form, 'name') ?? '' }, accountCreateSchema)));
    return c.redirect(withFlash(publicPath(c.env, '/dashboard/accounts'), result.ok ? { kind: 'ok', message: 'Account created.' } : { kind: 'error', message: result.message }), 303);
  })
  .get('/:id', async (c) => {
    const account = await findAccountById(c.env, c.req.param('id'));
    if (account === null) return c.redirect(withFlash(publicPath(c.env, '/dashboard/accounts'), { kind: 'error', message: `account "${c.req.param('id')}" not found` }), 303);
    const ledger = await accountLedger(c.env, account.id, null, 50);
    const consistent = account.balanceMicros === account.ledgerBalanceMicros;
    return c.html(
      <Layout base={basePathOf(c.env)} title={`Account: ${account.name}`} active="/dashboard/accounts" csrfToken={c.var.csrfToken} flash={flashOf(c)}>
        <div class="card">
          <p>
            Balance <strong>{formatUsd(account.balance)}</strong> {consistent ? <Pill tone="good">equals ledger sum</Pill> : <Pill tone="bad">differs from ledger sum</Pill>}
          </p>
          <p class="small muted">
            {account.id} · {account.keys} key(s) · created {formatIso(account.createdAt)} · <a href={publicPath(c.env, `/dashboard/usage?accountId=${encodeURIComponent(account.id)}`)}>usage</a>
          </p>
        </div>
        <h2>Top up</h2>
        <div class="card">
          <PostForm action={`${accountPath(c.env, account.id)}/topup`} token={c.var.csrfToken}>
            <div class="grid">
              <label>
                Amount (USD)
                <input name="amount" inputmode="decimal" required />
              </label>
              <label>
                Reference (optional; the same reference twice credits once)
                <input name="reference" placeholder="invoice-42" />
              </label>
              {/* One per rendering of this form: a double submit, or a resent POST, credits once. */}
              <input type="hidden" name="renderReference" value={`dashboard-topup-${randomId(20)}`} />
              <div>
                <button type="submit">Add credit</button>
              </div>
            </div>
          </PostForm>
        </div>
        <h2>Ledger (newest first)</h2>
        <table>
          <thead>
            <tr>
              <th>When</th>
              <th>Kind</th>
              <th>Reference</th>
              <th class="num">Amount</th>
            </tr>
          </thead>
          <tbody>
            {ledger.data.map((entry) => (
              <tr>
                <td class="small">{formatIso(entry.createdAt)}</td>
                <td>{entry.kind}</td>
                <td class="small">
                  <code>{entry.reference}</code>
                </td>
                <td class="num">{formatUsd(entry.amount)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Layout>,
    );
  })
  .post('/:id/topup', async (c) => {
    const id = c.req.param('id');
    const form = await readForm(c);
    const body = Object.fromEntries(Object.entries({ amount: numberField(form, 'amount'), reference: textField(form, 'reference') }).filter(([, value]) => value !== undefined));
    const result = await runAdminAction(() => {
      const input = parseAdminInput(body, topupSchema);
      // Without a typed reference, the one made for this rendering of the form: a double submit credits once.
      return creditAccount(c.env, id, 'topup', input.amount, topupReference(input.reference ?? textField(form, 'renderReference'), undefined));
    });
    const message = result.ok ? (result.value.outcome === 'applied' ? 'Credit added.' : 'That reference was already applied: nothing changed.') : result.message;
    return c.redirect(withFlash(accountPath(c.env, id), { kind: result.ok ? 'ok' : 'error', message }), 303);
  });
