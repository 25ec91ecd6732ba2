-- Optional token limits (issue 20): plans may carry tokens per minute and per day beside the request
-- windows; keys override them in quota_overrides (JSON, unchanged). No seeded plan sets them.
ALTER TABLE `plans` ADD `tokens_per_minute` integer;--> statement-breakpoint
ALTER TABLE `plans` ADD `tokens_per_day` integer;