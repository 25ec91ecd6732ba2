import type { MediaUrl } from '../codec';
import { isRecord } from '../shared/json-guards';

const collect = (parts: unknown, where: string, urls: MediaUrl[]): void => {
  if (!Array.isArray(parts)) return;
  parts.forEach((part: unknown, at) => {
    if (!isRecord(part)) return;
    const url = part.type === 'input_image' ? part.image_url : part.type === 'input_file' ? part.file_url : undefined;
    if (typeof url === 'string') urls.push({ url, param: `${where}[${at}].${part.type === 'input_image' ? 'image_url' : 'file_url'}` });
  });
};

/** `input_image.image_url` and `input_file.file_url` in `input[]` messages and in tool outputs (`*_output.output[]`). */
export const openaiResponsesMediaUrls = (body: Record<string, unknown>): MediaUrl[] => {
  const urls: MediaUrl[] = [];
  const input = body.input;
  if (!Array.isArray(input)) return urls;
  input.forEach((item: unknown, index) => {
    if (!isRecord(item)) return;
    collect(item.content, `input[${index}].content`, urls);
    collect(item.output, `input[${index}].output`, urls);
  });
  return urls;
};
