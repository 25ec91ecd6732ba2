import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env';

export class QuotaLimiter extends DurableObject<Env> {}
