CREATE INDEX `usage_daily_key_day_idx` ON `usage_daily` (`key_id`,`day`);--> statement-breakpoint
CREATE INDEX `usage_daily_account_day_idx` ON `usage_daily` (`account_id`,`day`);--> statement-breakpoint
CREATE INDEX `usage_events_time_idx` ON `usage_events` (`created_at`,`request_id`);