-- P1: the tables a delegate's anonymous acts land in keep no rowid, so neither rowid order nor
-- insertion order re-links a row to a check-in. They are empty here; rebuild them WITHOUT ROWID
-- with the same columns drizzle generated.
DROP TABLE `ballots`;
--> statement-breakpoint
CREATE TABLE `ballots` (
	`receipt` text PRIMARY KEY NOT NULL,
	`campaign_id` text NOT NULL,
	`group_no` integer NOT NULL,
	`ciphertext` text NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `ballots_group` ON `ballots` (`campaign_id`,`group_no`);
--> statement-breakpoint
DROP TABLE `credential_uses`;
--> statement-breakpoint
CREATE TABLE `credential_uses` (
	`credential_hash` text PRIMARY KEY NOT NULL,
	`campaign_id` text NOT NULL,
	`group_no` integer NOT NULL,
	`kind` text NOT NULL,
	`tag` text,
	`receipt` text
) WITHOUT ROWID;
--> statement-breakpoint
DROP TABLE `discipline_reports`;
--> statement-breakpoint
CREATE TABLE `discipline_reports` (
	`id` text PRIMARY KEY NOT NULL,
	`campaign_id` text NOT NULL,
	`group_no` integer,
	`kind` text NOT NULL,
	`department` text,
	`body` text NOT NULL,
	`day` text NOT NULL
) WITHOUT ROWID;
