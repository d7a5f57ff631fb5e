CREATE TABLE `ballots` (
	`receipt` text PRIMARY KEY NOT NULL,
	`campaign_id` text NOT NULL,
	`group_no` integer NOT NULL,
	`ciphertext` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ballots_group` ON `ballots` (`campaign_id`,`group_no`);--> statement-breakpoint
CREATE TABLE `checkins` (
	`id` text PRIMARY KEY NOT NULL,
	`campaign_id` text NOT NULL,
	`group_no` integer NOT NULL,
	`venue_name` text NOT NULL,
	`delegate_id` text NOT NULL,
	`channel` text NOT NULL,
	`ticket_hash` text NOT NULL,
	`blind_hash` text,
	`state` text NOT NULL,
	`checked_in_at` integer NOT NULL,
	`void_reason` text,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`delegate_id`) REFERENCES `delegates`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `checkins_delegate_group` ON `checkins` (`delegate_id`,`group_no`);--> statement-breakpoint
CREATE UNIQUE INDEX `checkins_ticket` ON `checkins` (`ticket_hash`);--> statement-breakpoint
CREATE INDEX `checkins_turnout` ON `checkins` (`campaign_id`,`group_no`,`venue_name`,`state`);--> statement-breakpoint
CREATE TABLE `credential_uses` (
	`credential_hash` text PRIMARY KEY NOT NULL,
	`campaign_id` text NOT NULL,
	`group_no` integer NOT NULL,
	`kind` text NOT NULL,
	`tag` text,
	`receipt` text
);
--> statement-breakpoint
CREATE TABLE `discipline_reports` (
	`id` text PRIMARY KEY NOT NULL,
	`campaign_id` text NOT NULL,
	`group_no` integer,
	`kind` text NOT NULL,
	`department` text,
	`body` text NOT NULL,
	`day` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `voting_sessions` (
	`campaign_id` text NOT NULL,
	`group_no` integer NOT NULL,
	`venue_name` text NOT NULL,
	`state` text NOT NULL,
	`public_key` text NOT NULL,
	`private_key` text NOT NULL,
	`ballots_cast` integer DEFAULT 0 NOT NULL,
	`voided_spent` integer DEFAULT 0 NOT NULL,
	`opened_at` integer NOT NULL,
	`closed_at` integer,
	`close_note` text,
	`closed_by` text,
	PRIMARY KEY(`campaign_id`, `group_no`, `venue_name`),
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `tally_keys` (
	`campaign_id` text NOT NULL,
	`group_no` integer NOT NULL,
	`public_key` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`campaign_id`, `group_no`),
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
