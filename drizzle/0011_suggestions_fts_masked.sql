-- The public search index holds the masked text (IDs, phones, e-mail, names blanked by
-- src/lib/personal-data.core.ts), not the text as the citizen typed it: a search for an ID
-- number or a name must find nothing. Masking is not SQL, so the trigram index is no longer an
-- external-content table kept by triggers over `suggestions`: it stores its own (masked) text,
-- written by the application in the same batch that makes a suggestion public (dispatch) or
-- publishes its answer, exactly as the bigram index already was. Searches filter by status, so
-- an entry left behind by a later status change is harmless.
DROP TRIGGER IF EXISTS `suggestions_fts_insert`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `suggestions_fts_delete`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `suggestions_fts_update`;
--> statement-breakpoint
DROP TABLE IF EXISTS `suggestions_fts`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `suggestions_fts` USING fts5(title, body, public_answer, tokenize='trigram');
--> statement-breakpoint
CREATE TRIGGER `suggestions_fts_delete` AFTER DELETE ON `suggestions`
BEGIN
  DELETE FROM suggestions_fts WHERE rowid = old.seq;
END;
--> statement-breakpoint
-- the bigrams were made from the unmasked text: start again (the application re-indexes every
-- public suggestion at start, see reindexPublicSuggestions)
DELETE FROM `suggestions_bigrams`;
