CREATE TABLE `survey_result_approvals` (
	`survey_id` text NOT NULL,
	`seat_no` integer NOT NULL,
	`digest` text NOT NULL,
	`approved_at` integer NOT NULL,
	PRIMARY KEY(`survey_id`, `seat_no`),
	FOREIGN KEY (`survey_id`) REFERENCES `surveys`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `survey_result_drafts` (
	`survey_id` text PRIMARY KEY NOT NULL,
	`digest` text NOT NULL,
	`answers` text NOT NULL,
	`tally` text NOT NULL,
	`unsealed_at` integer NOT NULL,
	`posted_by` text NOT NULL,
	FOREIGN KEY (`survey_id`) REFERENCES `surveys`(`id`) ON UPDATE no action ON DELETE cascade
);
