CREATE TABLE `image_tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`key_id` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`charge_micros` integer DEFAULT 0 NOT NULL,
	`lease_id` text,
	`provider_id` text,
	`upstream_model` text,
	`result` text,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `image_tasks_status_updated_idx` ON `image_tasks` (`status`,`updated_at`);--> statement-breakpoint
CREATE INDEX `image_tasks_key_status_idx` ON `image_tasks` (`key_id`,`status`);--> statement-breakpoint
ALTER TABLE `accounts` ADD `webhook_secret_version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE `ledger` SET `reference` = 'image:' || `account_id` || ':' || `reference` WHERE `reference` LIKE 'media\_%' ESCAPE '\';--> statement-breakpoint
UPDATE `ledger` SET `reference` = 'usage:' || `account_id` || ':' || `reference` WHERE `kind` = 'charge' AND `reference` NOT LIKE 'image:%';--> statement-breakpoint
UPDATE `ledger` SET `reference` = 'topup:' || `account_id` || ':' || `reference` WHERE `kind` = 'topup';--> statement-breakpoint
UPDATE `ledger` SET `reference` = 'admin:' || `account_id` || ':' || `reference` WHERE `kind` = 'refund' AND `reference` NOT LIKE 'image:%';
