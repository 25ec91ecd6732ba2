import type { publicProviderView } from '../db/providers';
import { splitNames } from './form';

type ModelEntry = ReturnType<typeof publicProviderView>['models'][number];

/** Short names for the model entry fields in the dashboard's text form, and back. */
const ATTRIBUTES = { context: 'contextWindow', max_output: 'maxOutputTokens', field: 'outputTokenField' } as const;

/**
 * One model per line (or comma): `public[=upstream] [context=N] [max_output=N] [field=max_tokens|max_completion_tokens]`.
 * Values that are not numbers, and unknown attributes, go to the admin API as written, so its
 * validation names what is wrong.
 */
export const parseModelLines = (text: string | undefined): unknown[] =>
  splitNames(text).map((line) => {
    const [head = '', ...attributes] = line.split(/\s+/);
    const [name = '', upstream] = head.split('=');
    const entry: Record<string, unknown> = { name, ...(upstream ? { upstream } : {}) };
    for (const attribute of attributes) {
      const [key = '', value = ''] = attribute.split('=');
      const field = key in ATTRIBUTES ? ATTRIBUTES[key as keyof typeof ATTRIBUTES] : key;
      entry[field] = field === 'outputTokenField' || value === '' || !Number.isFinite(Number(value)) ? value : Number(value);
    }
    return Object.keys(entry).length === 1 ? name : entry;
  });

export const formatModelLine = (entry: ModelEntry): string => {
  if (typeof entry === 'string') return entry;
  const parts = [entry.upstream === undefined ? entry.name : `${entry.name}=${entry.upstream}`];
  if (entry.contextWindow !== undefined) parts.push(`context=${entry.contextWindow}`);
  if (entry.maxOutputTokens !== undefined) parts.push(`max_output=${entry.maxOutputTokens}`);
  if (entry.outputTokenField !== undefined) parts.push(`field=${entry.outputTokenField}`);
  return parts.join(' ');
};
