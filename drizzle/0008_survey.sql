CREATE TABLE `survey_credential_uses` (
	`credential_hash` text PRIMARY KEY NOT NULL,
	`survey_id` text NOT NULL,
	`tag` text NOT NULL,
	`receipt` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `survey_invitations` (
	`id` text PRIMARY KEY NOT NULL,
	`survey_id` text NOT NULL,
	`channel` text NOT NULL,
	`delegate_id` text,
	`ticket_hash` text NOT NULL,
	`blind_hash` text,
	`state` text NOT NULL,
	`batch` text,
	FOREIGN KEY (`survey_id`) REFERENCES `surveys`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`delegate_id`) REFERENCES `delegates`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `survey_invitations_ticket` ON `survey_invitations` (`ticket_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `survey_invitations_delegate` ON `survey_invitations` (`survey_id`,`delegate_id`);--> statement-breakpoint
CREATE TABLE `survey_responses` (
	`receipt` text PRIMARY KEY NOT NULL,
	`survey_id` text NOT NULL,
	`ciphertext` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `survey_responses_survey` ON `survey_responses` (`survey_id`);--> statement-breakpoint
CREATE TABLE `survey_results` (
	`survey_id` text PRIMARY KEY NOT NULL,
	`tally` text NOT NULL,
	`texts` text NOT NULL,
	`published_texts` text,
	`reviewed_by` text,
	`unsealed_at` integer NOT NULL,
	FOREIGN KEY (`survey_id`) REFERENCES `surveys`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `survey_seats` (
	`survey_id` text NOT NULL,
	`seat_no` integer NOT NULL,
	`custodian_id` text NOT NULL,
	`custodian_name` text NOT NULL,
	`seat_key` text NOT NULL,
	`sealed_share` text,
	`fingerprint` text,
	`downloaded_at` integer,
	PRIMARY KEY(`survey_id`, `seat_no`),
	FOREIGN KEY (`survey_id`) REFERENCES `surveys`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `survey_unseal_shares` (
	`survey_id` text NOT NULL,
	`seat_no` integer NOT NULL,
	`share` text NOT NULL,
	PRIMARY KEY(`survey_id`, `seat_no`),
	FOREIGN KEY (`survey_id`) REFERENCES `surveys`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `surveys` (
	`id` text PRIMARY KEY NOT NULL,
	`campaign_id` text NOT NULL,
	`kind` text NOT NULL,
	`access` text NOT NULL,
	`title` text NOT NULL,
	`definition` text NOT NULL,
	`state` text NOT NULL,
	`sign_public_key` text,
	`sign_private_key` text,
	`seal_key` text,
	`share_count` integer DEFAULT 5 NOT NULL,
	`threshold` integer DEFAULT 3 NOT NULL,
	`responses` integer DEFAULT 0 NOT NULL,
	`root` text,
	`created_at` integer NOT NULL,
	`opened_at` integer,
	`closed_at` integer,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `surveys_campaign` ON `surveys` (`campaign_id`);