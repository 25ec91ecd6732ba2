import type { AspectRatio, Resolution } from '../tasks/task';

/** Short side per resolution: 1k keeps OpenAI's 1024x1024 / 1536x1024 / 1024x1536, 4k 16:9 is 3840x2160. */
const SHORT_SIDE: Record<Resolution, number> = { '1k': 1024, '2k': 1536, '4k': 2160 };

/** Width and height for a ratio at a resolution (long side rounded to a multiple of 16); undefined for auto. */
export const pixelSize = (size: AspectRatio, resolution: Resolution): { width: number; height: number } | undefined => {
  if (size === 'auto') return undefined;
  const [w = 1, h = 1] = size.split(':').map(Number);
  const short = SHORT_SIDE[resolution];
  const long = Math.round((short * Math.max(w, h)) / Math.min(w, h) / 16) * 16;
  return w >= h ? { width: long, height: short } : { width: short, height: long };
};
