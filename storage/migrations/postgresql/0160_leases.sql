-- Several worker processes on one database (`python -m bot run --role worker`): a row being
-- handled carries the worker that holds it and until when. A worker renews its leases while it
-- works; one killed outright stops renewing, and once `lease_until` has passed another worker
-- takes the row over. Times are UTC ISO text, as everywhere.

-- inbox: a worker claims the oldest open row of a chat, and only while no row of that chat is
-- held (the oldest open row is the one held): one worker per chat at a time, in order.
ALTER TABLE inbox ADD COLUMN lease_owner TEXT;
ALTER TABLE inbox ADD COLUMN lease_until TEXT;
CREATE INDEX inbox_open_chat ON inbox (channel, chat, id) WHERE status IN ('pending', 'answered');

-- outbox: 'sending' rows belong to the worker named here until `lease_until`; after that they
-- go to whoever claims next. Outcomes are written only by the worker still holding the row.
ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
ALTER TABLE outbox ADD COLUMN lease_until TEXT;
