CREATE TABLE `tally_commitments` (
	`campaign_id` text NOT NULL,
	`group_no` integer NOT NULL,
	`root` text NOT NULL,
	`ballot_count` integer NOT NULL,
	`receipts` text NOT NULL,
	`committed_at` integer NOT NULL,
	PRIMARY KEY(`campaign_id`, `group_no`),
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `tally_results` (
	`campaign_id` text NOT NULL,
	`group_no` integer NOT NULL,
	`decrypted` text NOT NULL,
	`tally` text NOT NULL,
	`private_key` text NOT NULL,
	`unsealed_at` integer NOT NULL,
	PRIMARY KEY(`campaign_id`, `group_no`),
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `tally_seats` (
	`campaign_id` text NOT NULL,
	`group_no` integer NOT NULL,
	`seat_no` integer NOT NULL,
	`custodian_id` text NOT NULL,
	`custodian_name` text NOT NULL,
	`seat_key` text NOT NULL,
	`sealed_share` text,
	`fingerprint` text,
	`downloaded_at` integer,
	PRIMARY KEY(`campaign_id`, `group_no`, `seat_no`),
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `tally_settings` (
	`campaign_id` text PRIMARY KEY NOT NULL,
	`share_count` integer NOT NULL,
	`threshold` integer NOT NULL,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `tally_unseal_shares` (
	`campaign_id` text NOT NULL,
	`group_no` integer NOT NULL,
	`seat_no` integer NOT NULL,
	`share` text NOT NULL,
	PRIMARY KEY(`campaign_id`, `group_no`, `seat_no`),
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `tally_keys` ADD `share_count` integer DEFAULT 5 NOT NULL;--> statement-breakpoint
ALTER TABLE `tally_keys` ADD `threshold` integer DEFAULT 3 NOT NULL;