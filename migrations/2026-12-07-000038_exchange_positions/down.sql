DROP TABLE exchange_positions;
