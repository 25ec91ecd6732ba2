import type { Env } from './env';
export { QuotaLimiter } from './quota/quota-limiter';

export default {
  async fetch() {
    return new Response('ok');
  },
} satisfies ExportedHandler<Env>;
