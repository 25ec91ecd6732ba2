import type { IrMediaSource } from '../../ir/content';

const DATA_URI = /^data:([^;,]+)?((?:;[^;,]+)*?);base64,(.*)$/s;

/** Reads `data:<mime>;base64,<data>` or an http(s) URL into an IR media source. */
export const mediaSourceFromUrl = (url: string): IrMediaSource => {
  const match = DATA_URI.exec(url);
  if (match) return { kind: 'base64', mediaType: match[1] ?? 'application/octet-stream', data: match[3] ?? '' };
  return { kind: 'url', url };
};

/** An IR media source as a URL string (data URI for base64). */
export const mediaSourceToUrl = (source: IrMediaSource): string =>
  source.kind === 'url' ? source.url : `data:${source.mediaType};base64,${source.data}`;
