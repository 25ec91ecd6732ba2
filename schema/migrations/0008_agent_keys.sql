-- Agent keys (issue 18): a key's kind, and which plans include the agent API.
ALTER TABLE `api_keys` ADD `kind` text DEFAULT 'inference' NOT NULL;--> statement-breakpoint
ALTER TABLE `plans` ADD `agent_access` integer DEFAULT false NOT NULL;--> statement-breakpoint
UPDATE `plans` SET `agent_access` = true WHERE `id` IN ('pro', 'max5x', 'max20x');
