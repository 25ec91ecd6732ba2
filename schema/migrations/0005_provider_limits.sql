ALTER TABLE `providers` ADD `max_retries` integer;--> statement-breakpoint
ALTER TABLE `model_routes` ADD `context_window` integer;--> statement-breakpoint
ALTER TABLE `model_routes` ADD `max_output_tokens` integer;--> statement-breakpoint
ALTER TABLE `model_routes` ADD `output_token_field` text;
