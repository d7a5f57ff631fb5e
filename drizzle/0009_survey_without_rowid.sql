-- P1 for survey responses: the tables an anonymous response lands in keep no rowid, so neither
-- rowid order nor insertion order re-links a row to an invitation. They are empty here; rebuild
-- them WITHOUT ROWID with the same columns drizzle generated in 0008.
DROP TABLE `survey_responses`;
--> statement-breakpoint
CREATE TABLE `survey_responses` (
	`receipt` text PRIMARY KEY NOT NULL,
	`survey_id` text NOT NULL,
	`ciphertext` text NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `survey_responses_survey` ON `survey_responses` (`survey_id`);
--> statement-breakpoint
DROP TABLE `survey_credential_uses`;
--> statement-breakpoint
CREATE TABLE `survey_credential_uses` (
	`credential_hash` text PRIMARY KEY NOT NULL,
	`survey_id` text NOT NULL,
	`tag` text NOT NULL,
	`receipt` text NOT NULL
) WITHOUT ROWID;
