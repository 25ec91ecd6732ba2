ALTER TABLE `accounts` ADD `alert_webhook_url` text;--> statement-breakpoint
ALTER TABLE `accounts` ADD `monthly_budget_micros` integer;--> statement-breakpoint
CREATE TABLE `budget_alerts` (
	`subject` text NOT NULL,
	`threshold` integer NOT NULL,
	`period` text NOT NULL,
	`account_id` text NOT NULL,
	`payload` text NOT NULL,
	`state` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`subject`, `threshold`, `period`)
);
--> statement-breakpoint
CREATE INDEX `budget_alerts_account_idx` ON `budget_alerts` (`account_id`,`created_at`);
