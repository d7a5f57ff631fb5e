CREATE TABLE `answer_templates` (
	`id` text PRIMARY KEY NOT NULL,
	`campaign_id` text NOT NULL,
	`theme` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `answer_templates_campaign_theme` ON `answer_templates` (`campaign_id`,`theme`);--> statement-breakpoint
CREATE TABLE `suggestion_ratings` (
	`suggestion_seq` integer NOT NULL,
	`round` integer NOT NULL,
	`rating` text NOT NULL,
	`comment` text DEFAULT '' NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`suggestion_seq`, `round`),
	FOREIGN KEY (`suggestion_seq`) REFERENCES `suggestions`(`seq`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `notification_outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`campaign_id` text NOT NULL,
	`suggestion_seq` integer,
	`user_id` text,
	`channel` text NOT NULL,
	`event` text NOT NULL,
	`params` text DEFAULT '{}' NOT NULL,
	`dedupe_key` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`resends` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`lease_until` integer,
	`last_error` text,
	`provider_id` text,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`suggestion_seq`) REFERENCES `suggestions`(`seq`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_once` ON `notification_outbox` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `outbox_due` ON `notification_outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `outbox_campaign` ON `notification_outbox` (`campaign_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `campaigns` ADD `handling_closes_at` integer;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `handling_formula` text;--> statement-breakpoint
ALTER TABLE `users` ADD `email` text;--> statement-breakpoint
ALTER TABLE `suggestion_assignments` ADD `round` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `suggestions` ADD `contact_sealed` text;--> statement-breakpoint
ALTER TABLE `suggestions` ADD `notify_channel` text DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE `suggestions` ADD `notify_contact` text;--> statement-breakpoint
ALTER TABLE `suggestions` ADD `reopen_round` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `suggestions` ADD `closed_at` integer;--> statement-breakpoint
ALTER TABLE `suggestions` ADD `organiser_review` integer DEFAULT false NOT NULL;