-- The exchange feed's epoch. Readers keep their place as (transaction, row); transaction ids
-- are those of the cluster that wrote the rows, so a database restored into another cluster
-- (or recovered to an earlier point) hands out transaction ids below places readers already
-- hold, and its new events would sort before them and never be read. Each restore raises the
-- epoch (`frtctl restore` does; `frtctl exchange new-epoch` after a physical restore), new
-- rows carry it, and places are (epoch, transaction, row): whatever a restored database
-- writes comes after everything any reader has seen.
CREATE TABLE exchange_feed_epoch (
    singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    epoch     INT NOT NULL DEFAULT 0 CHECK (epoch >= 0),
    raised_at TIMESTAMPTZ
);
INSERT INTO exchange_feed_epoch DEFAULT VALUES;

CREATE FUNCTION exchange_current_epoch() RETURNS INT
    LANGUAGE sql STABLE AS $$ SELECT epoch FROM exchange_feed_epoch $$;

ALTER TABLE exchange_feed ADD COLUMN epoch INT NOT NULL DEFAULT 0;
ALTER TABLE exchange_feed ALTER COLUMN epoch SET DEFAULT exchange_current_epoch();
DROP INDEX exchange_feed_reader;
CREATE INDEX exchange_feed_reader ON exchange_feed (stream, agency_id, epoch, txid, id);

ALTER TABLE exchange_positions ADD COLUMN epoch INT NOT NULL DEFAULT 0;
