CREATE TABLE `candidates` (
	`id` text PRIMARY KEY NOT NULL,
	`campaign_id` text NOT NULL,
	`code` text NOT NULL,
	`source` text NOT NULL,
	`name` text NOT NULL,
	`id_hash` text NOT NULL,
	`id_last4` text NOT NULL,
	`mobile` text NOT NULL,
	`venue_name` text NOT NULL,
	`category` text NOT NULL,
	`groups` text NOT NULL,
	`district` text,
	`occupation` text,
	`declared_category` text,
	`organisation` text,
	`resident` integer,
	`years_in_city` integer,
	`qualification` text DEFAULT 'pending' NOT NULL,
	`qualification_reason` text,
	`district_review` text DEFAULT 'pending' NOT NULL,
	`district_review_reason` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `candidates_campaign_id_hash` ON `candidates` (`campaign_id`,`id_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `candidates_campaign_code` ON `candidates` (`campaign_id`,`code`);--> statement-breakpoint
CREATE INDEX `candidates_campaign_venue` ON `candidates` (`campaign_id`,`venue_name`);--> statement-breakpoint
CREATE TABLE `delegates` (
	`id` text PRIMARY KEY NOT NULL,
	`campaign_id` text NOT NULL,
	`candidate_id` text NOT NULL,
	`venue_name` text NOT NULL,
	`group_no` integer NOT NULL,
	`category` text NOT NULL,
	`state` text NOT NULL,
	`drawn_as` text NOT NULL,
	`reserve_rank` integer,
	`draw_rank` integer NOT NULL,
	`delegate_code` text NOT NULL,
	`access_token` text NOT NULL,
	`responded_at` integer,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `delegates_code` ON `delegates` (`delegate_code`);--> statement-breakpoint
CREATE UNIQUE INDEX `delegates_access_token` ON `delegates` (`access_token`);--> statement-breakpoint
CREATE UNIQUE INDEX `delegates_campaign_candidate` ON `delegates` (`campaign_id`,`candidate_id`);--> statement-breakpoint
CREATE INDEX `delegates_cell` ON `delegates` (`campaign_id`,`venue_name`,`group_no`,`category`);--> statement-breakpoint
CREATE TABLE `draws` (
	`campaign_id` text PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`seed_commitment` text NOT NULL,
	`candidates_digest` text NOT NULL,
	`candidate_count` integer NOT NULL,
	`committed_at` integer NOT NULL,
	`seed` text,
	`drawn_at` integer,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
