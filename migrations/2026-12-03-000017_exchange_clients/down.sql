DROP TABLE exchange_idempotency;
DROP TABLE exchange_signatures;
DROP TABLE exchange_clients;
