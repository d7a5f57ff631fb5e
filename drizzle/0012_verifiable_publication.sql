ALTER TABLE `draws` ADD `beacon_source` text;--> statement-breakpoint
ALTER TABLE `draws` ADD `beacon_value` text;--> statement-breakpoint
ALTER TABLE `tally_commitments` ADD `document` text;--> statement-breakpoint
CREATE INDEX `survey_invitations_state` ON `survey_invitations` (`survey_id`,`state`);