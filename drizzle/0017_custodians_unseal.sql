CREATE TABLE `tally_result_approvals` (
	`campaign_id` text NOT NULL,
	`group_no` integer NOT NULL,
	`seat_no` integer NOT NULL,
	`digest` text NOT NULL,
	`approved_at` integer NOT NULL,
	PRIMARY KEY(`campaign_id`, `group_no`, `seat_no`),
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `tally_result_drafts` (
	`campaign_id` text NOT NULL,
	`group_no` integer NOT NULL,
	`digest` text NOT NULL,
	`decrypted` text NOT NULL,
	`tally` text NOT NULL,
	`unsealed_at` integer NOT NULL,
	`posted_by` text NOT NULL,
	PRIMARY KEY(`campaign_id`, `group_no`),
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `tally_keys` ADD `ceremony_digest` text;