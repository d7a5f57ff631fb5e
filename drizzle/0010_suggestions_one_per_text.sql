-- Data step (added by hand above drizzle-kit's index): copies of one text stored twice by a race
-- before this index existed are merged into the earliest, as an organiser's merge would do.
UPDATE `suggestions` SET `status` = 'merged', `duplicate_of` = (
  SELECT min(s2.`seq`) FROM `suggestions` AS s2
  WHERE s2.`campaign_id` = `suggestions`.`campaign_id` AND s2.`fingerprint` = `suggestions`.`fingerprint` AND s2.`duplicate_of` IS NULL)
WHERE `duplicate_of` IS NULL AND EXISTS (
  SELECT 1 FROM `suggestions` AS s2
  WHERE s2.`campaign_id` = `suggestions`.`campaign_id` AND s2.`fingerprint` = `suggestions`.`fingerprint` AND s2.`duplicate_of` IS NULL AND s2.`seq` < `suggestions`.`seq`);--> statement-breakpoint
CREATE UNIQUE INDEX `suggestions_one_per_text` ON `suggestions` (`campaign_id`,`fingerprint`) WHERE duplicate_of IS NULL;