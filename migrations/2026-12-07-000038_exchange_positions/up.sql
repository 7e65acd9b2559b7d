-- Where each exchange client last read each feed, and when: its lag (events it has not yet
-- read) is reported on GET /metrics as frt_exchange_feed_lag_events.
CREATE TABLE exchange_positions (
    key_id    TEXT NOT NULL REFERENCES exchange_clients (key_id) ON DELETE CASCADE,
    stream    TEXT NOT NULL,
    txid      BIGINT NOT NULL,
    id        BIGINT NOT NULL,
    synced_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (key_id, stream)
);

