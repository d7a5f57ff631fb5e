-- A group's closing commitment is fixed once written: the database refuses to rewrite it.
-- (Someone with raw file access can drop this; the commitment file published at closing and the
-- audit entry of the commit, whose digest covers the document, then show the change.)
CREATE TRIGGER `tally_commitments_no_update` BEFORE UPDATE ON `tally_commitments`
BEGIN
  SELECT RAISE(ABORT, 'tally_commitments are fixed at commit');
END;
