ALTER TABLE `campaigns` ADD `quota_main_version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `quota_sub_version` integer DEFAULT 1 NOT NULL;