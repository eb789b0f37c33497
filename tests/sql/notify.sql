-- LISTEN, UNLISTEN, NOTIFY and pg_notify: command tags, the checks on
-- channel names and payloads (22023), NULL and empty arguments, folding
-- within a transaction, a rolled-back transaction, and the queue usage.
LISTEN n_chan;
LISTEN n_chan;
LISTEN "N Quoted";
NOTIFY n_chan;
NOTIFY n_chan, 'payload';
NOTIFY n_chan, '';
NOTIFY nobody_listens, 'x';
SELECT pg_notify('n_chan', 'via function');
SELECT pg_notify('n_chan', NULL);
SELECT pg_notify('', 'x');
SELECT pg_notify(NULL, 'x');
SELECT pg_notify(repeat('c', 63), 'x');
SELECT pg_notify(repeat('c', 64), 'x');
SELECT pg_notify('n_chan', repeat('x', 7999));
SELECT pg_notify('n_chan', repeat('x', 8000));
NOTIFY n_chan, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
BEGIN;
NOTIFY n_chan, 'dup';
NOTIFY n_chan, 'dup';
SELECT pg_notify('n_chan', 'dup');
COMMIT;
BEGIN;
NOTIFY n_chan, 'never';
ROLLBACK;
BEGIN;
SAVEPOINT s;
NOTIFY n_chan, 'rolled back to s';
ROLLBACK TO s;
NOTIFY n_chan, 'kept';
COMMIT;
SELECT pg_notification_queue_usage() < 0.01;
SELECT pg_notify(n, p) FROM (VALUES ('n_chan', 'a'), ('n_chan', 'b'), ('n_chan', 'a')) v(n, p);
UNLISTEN n_chan;
UNLISTEN no_such_channel;
UNLISTEN "N Quoted";
UNLISTEN *;
