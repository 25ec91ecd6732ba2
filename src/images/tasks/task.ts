/** The image task as stored in KV (`task:{id}`) and the view clients see. */
export const ASPECT_RATIOS = ['auto', '1:1', '16:9', '9:16', '3:2', '2:3', '4:3', '3:4', '5:4', '4:5', '2:1', '1:2', '21:9', '9:21'] as const;
export type AspectRatio = (typeof ASPECT_RATIOS)[number];
export const RESOLUTIONS = ['1k', '2k', '4k'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];
/** 4k is only offered for the elongated ratios (the list). */
export const RATIOS_WITH_4K: readonly AspectRatio[] = ['16:9', '9:16', '1:2', '2:1', '21:9', '9:21'];

export type TaskStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
export const isTerminal = (status: TaskStatus): boolean => status === 'completed' || status === 'failed' || status === 'cancelled';

/** An uploaded input of an edit, as the task records it; the bytes live in the input store (input-store.ts). */
export interface StoredUpload {
  /** `mask` applies to the first image (transparent pixels mark what to edit). */
  role: 'image' | 'mask';
  contentType: string;
  bytes: number;
  sha256: string;
}

export interface ImageRequest {
  prompt: string;
  size: AspectRatio;
  resolution: Resolution;
  n: 1;
  imageUrls: string[];
  webhookUrl: string | null;
  /** Files of a multipart edit (images, then the mask), in upload order; absent on generations. */
  uploads?: StoredUpload[];
}

export interface TaskError {
  code: string;
  message: string;
}

export interface WebhookAttempt {
  attempt: number;
  at: string;
  /** The receiver's HTTP status, null when no response arrived. */
  status: number | null;
  error: string | null;
}

export type WebhookState = 'pending' | 'delivered' | 'retrying' | 'dead_lettered';

export interface TaskWebhook {
  url: string;
  state: WebhookState;
  attempts: WebhookAttempt[];
}

export interface ImageTask {
  id: string;
  accountId: string;
  keyId: string;
  billing: 'subscription' | 'prepaid';
  model: string;
  request: ImageRequest;
  status: TaskStatus;
  createdAt: number;
  updatedAt: number;
  /** Generation attempts started (upstream calls made or begun). */
  attempts: number;
  /** Provider and upstream model of the latest attempt; absent before the first one (and on older tasks). */
  providerId?: string;
  upstreamModel?: string;
  /** The price of the task in micro-dollars, reported for every key. */
  chargeMicros: number;
  /** True when a ledger charge row exists (prepaid keys with a non-zero price). */
  charged: boolean;
  result: { urls: string[] } | null;
  error: TaskError | null;
  /** Base URL the task was submitted to (origin plus BASE_PATH); file URLs are built on it. */
  fileOrigin: string;
  /** SHA-256 of the normalized request, to refuse an Idempotency-Key reused for a different request. */
  requestHash: string;
  webhook: TaskWebhook | null;
}

export const formatDollars = (micros: number): string => (micros / 1_000_000).toFixed(5);

const iso = (epochMs: number): string => new Date(epochMs).toISOString();

export interface TaskView {
  task_id: string;
  object: 'image.task';
  status: TaskStatus;
  model: string;
  created_at: string;
  updated_at: string;
  charge: string;
  attempts: number;
  result: { urls: string[] } | null;
  error: TaskError | null;
  webhook?: { url: string; state: WebhookState; attempts: WebhookAttempt[] } | null;
}

/** The public JSON of a task. Webhook bodies leave out the delivery log, which changes per attempt. */
export const taskView = (task: ImageTask, options: { webhook: boolean } = { webhook: true }): TaskView => {
  const view: TaskView = {
    task_id: task.id,
    object: 'image.task',
    status: task.status,
    model: task.model,
    created_at: iso(task.createdAt),
    updated_at: iso(task.updatedAt),
    charge: formatDollars(task.chargeMicros),
    attempts: task.attempts,
    result: task.result,
    error: task.error,
  };
  if (options.webhook) view.webhook = task.webhook === null ? null : { url: task.webhook.url, state: task.webhook.state, attempts: task.webhook.attempts };
  return view;
};
