CREATE TABLE `suggestion_assignments` (
	`id` text PRIMARY KEY NOT NULL,
	`suggestion_seq` integer NOT NULL,
	`department_id` text NOT NULL,
	`department_name` text NOT NULL,
	`status` text DEFAULT 'dispatched' NOT NULL,
	`routing_score` real,
	`answer` text,
	`adoption` text DEFAULT 'none' NOT NULL,
	`return_reason` text,
	`assigned_at` integer NOT NULL,
	`deadline_at` integer NOT NULL,
	`answered_at` integer,
	FOREIGN KEY (`suggestion_seq`) REFERENCES `suggestions`(`seq`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `assignments_suggestion` ON `suggestion_assignments` (`suggestion_seq`);--> statement-breakpoint
CREATE INDEX `assignments_department_status` ON `suggestion_assignments` (`department_id`,`status`);--> statement-breakpoint
CREATE TABLE `suggestion_bands` (
	`band` text NOT NULL,
	`suggestion_seq` integer NOT NULL,
	PRIMARY KEY(`band`, `suggestion_seq`),
	FOREIGN KEY (`suggestion_seq`) REFERENCES `suggestions`(`seq`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `suggestion_bands_seq` ON `suggestion_bands` (`suggestion_seq`);--> statement-breakpoint
CREATE TABLE `suggestion_scores` (
	`suggestion_seq` integer NOT NULL,
	`reviewer_id` text NOT NULL,
	`reviewer_name` text NOT NULL,
	`score` integer NOT NULL,
	`comment` text DEFAULT '' NOT NULL,
	`at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	PRIMARY KEY(`suggestion_seq`, `reviewer_id`),
	FOREIGN KEY (`suggestion_seq`) REFERENCES `suggestions`(`seq`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `suggestion_supporters` (
	`id` text PRIMARY KEY NOT NULL,
	`suggestion_seq` integer NOT NULL,
	`author_name` text NOT NULL,
	`mobile` text NOT NULL,
	`similarity` real NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`suggestion_seq`) REFERENCES `suggestions`(`seq`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `suggestion_supporters_once` ON `suggestion_supporters` (`suggestion_seq`,`mobile`);--> statement-breakpoint
CREATE TABLE `suggestions` (
	`seq` integer PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`campaign_id` text NOT NULL,
	`source` text NOT NULL,
	`author_name` text NOT NULL,
	`mobile` text NOT NULL,
	`email` text,
	`organisation` text,
	`theme` text NOT NULL,
	`area` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`target_department` text,
	`status` text DEFAULT 'received' NOT NULL,
	`duplicate_of` integer,
	`reject_reason` text,
	`fingerprint` text NOT NULL,
	`public_answer` text DEFAULT '' NOT NULL,
	`adoption` text DEFAULT 'none' NOT NULL,
	`excellence` text DEFAULT 'none' NOT NULL,
	`excellent_published_at` integer,
	`dispatch_by` integer NOT NULL,
	`created_at` integer NOT NULL,
	`dispatched_at` integer,
	`answered_at` integer,
	`published_at` integer,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `suggestions_code_unique` ON `suggestions` (`code`);--> statement-breakpoint
CREATE INDEX `suggestions_campaign_status` ON `suggestions` (`campaign_id`,`status`,`seq`);--> statement-breakpoint
CREATE INDEX `suggestions_campaign_mobile` ON `suggestions` (`campaign_id`,`mobile`);--> statement-breakpoint
CREATE INDEX `suggestions_campaign_fingerprint` ON `suggestions` (`campaign_id`,`fingerprint`);--> statement-breakpoint
CREATE INDEX `suggestions_campaign_area` ON `suggestions` (`campaign_id`,`area`);