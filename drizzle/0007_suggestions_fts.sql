-- Full-text search of suggestions in Chinese: FTS5 with the trigram tokenizer (matches any
-- 3+ character substring; shorter queries fall back to LIKE in the repository).
-- External content: the index reads title/body/public_answer from `suggestions` by its
-- INTEGER PRIMARY KEY `seq`, so the text is not stored twice. Triggers keep it in sync.
CREATE VIRTUAL TABLE `suggestions_fts` USING fts5(title, body, public_answer, content='suggestions', content_rowid='seq', tokenize='trigram');
--> statement-breakpoint
CREATE TRIGGER `suggestions_fts_insert` AFTER INSERT ON `suggestions`
BEGIN
  INSERT INTO suggestions_fts(rowid, title, body, public_answer) VALUES (new.seq, new.title, new.body, new.public_answer);
END;
--> statement-breakpoint
CREATE TRIGGER `suggestions_fts_delete` AFTER DELETE ON `suggestions`
BEGIN
  INSERT INTO suggestions_fts(suggestions_fts, rowid, title, body, public_answer) VALUES ('delete', old.seq, old.title, old.body, old.public_answer);
END;
--> statement-breakpoint
CREATE TRIGGER `suggestions_fts_update` AFTER UPDATE OF title, body, public_answer ON `suggestions`
BEGIN
  INSERT INTO suggestions_fts(suggestions_fts, rowid, title, body, public_answer) VALUES ('delete', old.seq, old.title, old.body, old.public_answer);
  INSERT INTO suggestions_fts(rowid, title, body, public_answer) VALUES (new.seq, new.title, new.body, new.public_answer);
END;
--> statement-breakpoint
-- Two-character words (交通, 停车), which trigrams cannot match: the application writes each
-- suggestion's distinct character bigrams as space-separated tokens (rowid = suggestions.seq),
-- so a two-character query is one token lookup instead of a LIKE scan.
CREATE VIRTUAL TABLE `suggestions_bigrams` USING fts5(grams, tokenize='unicode61');
--> statement-breakpoint
CREATE TRIGGER `suggestions_bigrams_delete` AFTER DELETE ON `suggestions`
BEGIN
  DELETE FROM suggestions_bigrams WHERE rowid = old.seq;
END;
