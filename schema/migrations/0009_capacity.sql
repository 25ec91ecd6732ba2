-- Capacity (issue 23). Raw usage events are a short window before R2, so their table is shaped for
-- writes: clustered on (created_at, request_id) WITHOUT ROWID with no secondary index, one B-tree
-- entry per event instead of five (D1 bills and limits every index entry as a row written).
-- `ingest` marks which consumer write inserted a row (the rollup and the hourly charge count only
-- those); `charged` says the event is debited from its account's prepaid balance.
CREATE TABLE `usage_events_new` (
	`request_id` text NOT NULL,
	`account_id` text NOT NULL,
	`key_id` text NOT NULL,
	`model` text NOT NULL,
	`provider_id` text,
	`upstream_model` text,
	`client_format` text NOT NULL,
	`upstream_format` text,
	`status` integer NOT NULL,
	`error_type` text,
	`stream` integer NOT NULL,
	`aborted` integer DEFAULT false NOT NULL,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL,
	`cache_read_tokens` integer DEFAULT 0 NOT NULL,
	`cache_write_tokens` integer DEFAULT 0 NOT NULL,
	`reasoning_tokens` integer DEFAULT 0 NOT NULL,
	`cost_micros` integer DEFAULT 0 NOT NULL,
	`latency_ms` integer DEFAULT 0 NOT NULL,
	`ttfb_ms` integer,
	`created_at` integer NOT NULL,
	`usage_estimated` integer DEFAULT false NOT NULL,
	`ingest` integer DEFAULT 0 NOT NULL,
	`charged` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`created_at`, `request_id`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `usage_events_new` (`request_id`, `account_id`, `key_id`, `model`, `provider_id`, `upstream_model`, `client_format`, `upstream_format`,
	`status`, `error_type`, `stream`, `aborted`, `input_tokens`, `output_tokens`, `cache_read_tokens`, `cache_write_tokens`, `reasoning_tokens`,
	`cost_micros`, `latency_ms`, `ttfb_ms`, `created_at`, `usage_estimated`)
SELECT `request_id`, `account_id`, `key_id`, `model`, `provider_id`, `upstream_model`, `client_format`, `upstream_format`,
	`status`, `error_type`, `stream`, `aborted`, `input_tokens`, `output_tokens`, `cache_read_tokens`, `cache_write_tokens`, `reasoning_tokens`,
	`cost_micros`, `latency_ms`, `ttfb_ms`, `created_at`, `usage_estimated` FROM `usage_events`;
--> statement-breakpoint
DROP TABLE `usage_events`;
--> statement-breakpoint
ALTER TABLE `usage_events_new` RENAME TO `usage_events`;
--> statement-breakpoint
-- A settled reservation is now deleted (its amount returned in the same transaction) instead of
-- answered by a `release` row; pairs already settled sum to zero and go, so no sweep releases them twice.
DELETE FROM `ledger` WHERE `kind` IN ('hold', 'release') AND `reference` IN (SELECT `reference` FROM `ledger` WHERE `kind` = 'release');
