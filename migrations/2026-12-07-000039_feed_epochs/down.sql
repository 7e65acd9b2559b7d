ALTER TABLE exchange_positions DROP COLUMN epoch;
DROP INDEX exchange_feed_reader;
CREATE INDEX exchange_feed_reader ON exchange_feed (stream, agency_id, txid, id);
ALTER TABLE exchange_feed DROP COLUMN epoch;
DROP FUNCTION exchange_current_epoch();
DROP TABLE exchange_feed_epoch;
