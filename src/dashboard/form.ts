import type { Context } from 'hono';
import type { DashboardEnv } from './session';

type FormValue = string | File | Array<string | File>;
export type FormData = Record<string, FormValue>;

/** The posted form, with repeated fields (checkboxes) kept as arrays. */
export const readForm = async (c: Context<DashboardEnv>): Promise<FormData> => c.req.parseBody({ all: true });

/** A trimmed text field; empty means absent. */
export const textField = (form: FormData, name: string): string | undefined => {
  const value = form[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first !== 'string') return undefined;
  const trimmed = first.trim();
  return trimmed === '' ? undefined : trimmed;
};

/** Every value of a repeated field (checkboxes). */
export const listField = (form: FormData, name: string): string[] => {
  const value = form[name];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter((entry): entry is string => typeof entry === 'string' && entry.trim() !== '').map((entry) => entry.trim());
};

/** Comma- or newline-separated names ("a, b\nc"). */
export const splitNames = (text: string | undefined): string[] =>
  (text ?? '')
    .split(/[\n,]/)
    .map((name) => name.trim())
    .filter((name) => name !== '');

/**
 * A number field. Absent stays undefined; text that is not a number is passed on as the text itself so the
 * admin API's validation answers with its own message naming the field.
 */
export const numberField = (form: FormData, name: string): number | string | undefined => {
  const text = textField(form, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : text;
};

export const checked = (form: FormData, name: string): boolean => textField(form, name) !== undefined;
