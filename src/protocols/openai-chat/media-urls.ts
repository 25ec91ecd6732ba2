import type { MediaUrl } from '../codec';
import { isRecord } from '../shared/json-guards';

/**
 * Image URLs in Chat `messages[].content[]` (user parts and tool results alike). `file` parts carry
 * data, not URLs, and `input_audio` carries base64. A bare-string `image_url` is read too: passthrough
 * forwards what the schema would refuse.
 */
export const openaiChatMediaUrls = (body: Record<string, unknown>): MediaUrl[] => {
  const urls: MediaUrl[] = [];
  const messages = body.messages;
  if (!Array.isArray(messages)) return urls;
  messages.forEach((message: unknown, index) => {
    const content = isRecord(message) ? message.content : undefined;
    if (!Array.isArray(content)) return;
    content.forEach((part: unknown, at) => {
      if (!isRecord(part) || part.type !== 'image_url') return;
      const image = part.image_url;
      const url = isRecord(image) ? image.url : image;
      if (typeof url === 'string') urls.push({ url, param: `messages[${index}].content[${at}].image_url` });
    });
  });
  return urls;
};
