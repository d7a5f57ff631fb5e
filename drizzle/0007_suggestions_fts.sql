-- Full-text search of suggestions in Chinese: FTS5 with the trigram tokenizer (matches any
-- 3+ character substring; two-character words use the bigram index below).
-- External content: the index reads title/body/public_answer from `suggestions` by its
-- INTEGER PRIMARY KEY `seq`, so the text is not stored twice. Triggers keep it in sync.
-- Only rows the public column can show (dispatched and later, not merged or refused) are
-- indexed: intake, the hot path, writes no index entries at all.
CREATE VIRTUAL TABLE `suggestions_fts` USING fts5(title, body, public_answer, content='suggestions', content_rowid='seq', tokenize='trigram');
--> statement-breakpoint
CREATE TRIGGER `suggestions_fts_insert` AFTER INSERT ON `suggestions` WHEN new.status IN ('dispatched', 'in_progress', 'answered', 'published')
BEGIN
  INSERT INTO suggestions_fts(rowid, title, body, public_answer) VALUES (new.seq, new.title, new.body, new.public_answer);
END;
--> statement-breakpoint
CREATE TRIGGER `suggestions_fts_delete` AFTER DELETE ON `suggestions` WHEN old.status IN ('dispatched', 'in_progress', 'answered', 'published')
BEGIN
  INSERT INTO suggestions_fts(suggestions_fts, rowid, title, body, public_answer) VALUES ('delete', old.seq, old.title, old.body, old.public_answer);
END;
--> statement-breakpoint
-- an entry exists exactly while the row's status is public, so each step mirrors the last
CREATE TRIGGER `suggestions_fts_update` AFTER UPDATE OF title, body, public_answer, status ON `suggestions`
BEGIN
  INSERT INTO suggestions_fts(suggestions_fts, rowid, title, body, public_answer)
    SELECT 'delete', old.seq, old.title, old.body, old.public_answer WHERE old.status IN ('dispatched', 'in_progress', 'answered', 'published');
  INSERT INTO suggestions_fts(rowid, title, body, public_answer)
    SELECT new.seq, new.title, new.body, new.public_answer WHERE new.status IN ('dispatched', 'in_progress', 'answered', 'published');
END;
--> statement-breakpoint
-- Two-character words (交通, 停车), which trigrams cannot match: the application writes each
-- suggestion's distinct character bigrams as space-separated tokens (rowid = suggestions.seq)
-- when it is dispatched, and again with the answer when published; a two-character query is
-- then one token lookup instead of a LIKE scan. Searches filter by status as well, so a row
-- left behind by a later status change is harmless.
CREATE VIRTUAL TABLE `suggestions_bigrams` USING fts5(grams, tokenize='unicode61');
--> statement-breakpoint
CREATE TRIGGER `suggestions_bigrams_delete` AFTER DELETE ON `suggestions`
BEGIN
  DELETE FROM suggestions_bigrams WHERE rowid = old.seq;
END;
