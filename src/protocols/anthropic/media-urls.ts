import type { MediaUrl } from '../codec';
import { isRecord } from '../shared/json-guards';

/** `source: {type: "url"}` on image and document blocks, also inside tool_result content and content-sourced documents. */
const collect = (blocks: unknown, where: string, urls: MediaUrl[]): void => {
  if (!Array.isArray(blocks)) return;
  blocks.forEach((block: unknown, at) => {
    if (!isRecord(block)) return;
    const path = `${where}[${at}]`;
    const source = block.source;
    if (isRecord(source)) {
      if (source.type === 'url' && typeof source.url === 'string') urls.push({ url: source.url, param: `${path}.source.url` });
      collect(source.content, `${path}.source.content`, urls);
    }
    collect(block.content, `${path}.content`, urls);
  });
};

export const anthropicMediaUrls = (body: Record<string, unknown>): MediaUrl[] => {
  const urls: MediaUrl[] = [];
  const messages = body.messages;
  if (!Array.isArray(messages)) return urls;
  messages.forEach((message: unknown, index) => {
    if (isRecord(message)) collect(message.content, `messages[${index}].content`, urls);
  });
  return urls;
};
