CREATE TABLE `usage_dead_letters` (
	`message_id` text PRIMARY KEY NOT NULL,
	`request_id` text,
	`body` text NOT NULL,
	`error` text NOT NULL,
	`received_at` integer NOT NULL
);
