-- Sync and /messages echo `unsigned.transaction_id` to the device that sent
-- an event: they look the record up by event id.
CREATE INDEX client_txn_ids_event ON client_txn_ids(event_id);
