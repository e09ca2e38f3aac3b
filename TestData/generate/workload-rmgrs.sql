-- walkit WAL fixture workload for the per-version sets (PostgreSQL 13 to 18): every built-in
-- resource manager and as many of its record types as a workload can reach.
-- Run by make-version-fixtures.sh with psql -X -v ON_ERROR_STOP=1 and these psql variables:
--   tsdir   empty directory owned by postgres, for CREATE TABLESPACE
-- The caller has switched to a fresh segment, and afterwards turns full_page_writes off and
-- on, changes a parameter with a restart, and promotes a standby.

\set ON_ERROR_STOP on
SELECT current_setting('server_version_num')::int >= 150000 AS v15 \gset
SELECT count(*) > 0 AS has_bloom FROM pg_available_extensions WHERE name = 'bloom' \gset

-- B-tree: duplicates (posting lists), splits, then deletes and VACUUM (updated posting lists,
-- half-dead and unlinked pages, a new root), then version churn (bottom-up deletion, 14+)
CREATE TABLE bt (id int, k int);
CREATE INDEX bt_k ON bt (k);
CREATE INDEX bt_id ON bt (id);
INSERT INTO bt SELECT g, g % 10 FROM generate_series(1, 4000) g;
DELETE FROM bt WHERE id % 3 = 0;
DELETE FROM bt WHERE id > 2000;
VACUUM bt;
VACUUM bt;
CREATE TABLE churn (id int PRIMARY KEY, k int, pad text) WITH (fillfactor = 100);
CREATE INDEX churn_k ON churn (k);
INSERT INTO churn SELECT g, g, repeat('x', 40) FROM generate_series(1, 400) g;
UPDATE churn SET k = k + 1;
UPDATE churn SET k = k + 1;
UPDATE churn SET k = k + 1;
SELECT count(*) FROM churn WHERE id BETWEEN 1 AND 400;
UPDATE churn SET k = k + 1;
UPDATE churn SET k = k + 1;

-- Hash: bucket splits, overflow pages (one key many times), deletes, VACUUM (squeeze)
CREATE TABLE hs (k int);
CREATE INDEX hs_k ON hs USING hash (k);
INSERT INTO hs SELECT g FROM generate_series(1, 2500) g;
INSERT INTO hs SELECT 7 FROM generate_series(1, 700);
DELETE FROM hs WHERE k = 7 OR k % 4 = 0;
VACUUM hs;

-- GIN with fastupdate: pending list, explicit cleanup, then deletes and VACUUM
CREATE TABLE gn (a int[]);
CREATE INDEX gn_a ON gn USING gin (a) WITH (fastupdate = on, gin_pending_list_limit = 64);
INSERT INTO gn SELECT ARRAY[g % 100, g % 37, g] FROM generate_series(1, 800) g;
SELECT gin_clean_pending_list('gn_a');
INSERT INTO gn SELECT ARRAY[g % 50] FROM generate_series(1, 300) g;
DELETE FROM gn WHERE a[1] < 50;
VACUUM gn;

-- GiST: splits, deletes, VACUUM (page deletion), reuse
CREATE TABLE gs (p point);
CREATE INDEX gs_p ON gs USING gist (p);
INSERT INTO gs SELECT point(g % 100, g / 100) FROM generate_series(1, 2500) g;
DELETE FROM gs WHERE p[1] > 20;
VACUUM gs;
INSERT INTO gs SELECT point(g % 100, 200 + g / 100) FROM generate_series(1, 800) g;

-- SP-GiST: radix tree of text (prefix splits, new nodes) and a quad tree of points; deletes
-- and VACUUM (leaf, root and redirect vacuum)
CREATE TABLE sp (t text, p point);
CREATE INDEX sp_t ON sp USING spgist (t);
CREATE INDEX sp_p ON sp USING spgist (p);
INSERT INTO sp SELECT 'prefix-' || (g % 17) || '-' || md5(g::text), point(g % 70, g / 70) FROM generate_series(1, 1500) g;
INSERT INTO sp SELECT 'other-' || g, NULL FROM generate_series(1, 200) g;
INSERT INTO sp VALUES (NULL, NULL);
DELETE FROM sp WHERE length(t) % 3 = 0 OR t LIKE 'other-%';
VACUUM sp;
CREATE TABLE sproot (t text);
CREATE INDEX sproot_t ON sproot USING spgist (t);
INSERT INTO sproot SELECT 'r' || g FROM generate_series(1, 20) g;
DELETE FROM sproot WHERE t <> 'r1';
VACUUM sproot;

-- BRIN: build, new ranges, summarize, desummarize, re-summarize, updates of summaries
CREATE TABLE br (i int, pad text) WITH (fillfactor = 50);
CREATE INDEX br_i ON br USING brin (i) WITH (pages_per_range = 2);
INSERT INTO br SELECT g, repeat('b', 100) FROM generate_series(1, 800) g;
SELECT brin_summarize_new_values('br_i');
SELECT brin_desummarize_range('br_i', 0);
SELECT brin_summarize_range('br_i', 0);
UPDATE br SET i = -i WHERE i % 100 = 0;
INSERT INTO br SELECT g, repeat('c', 100) FROM generate_series(801, 1000) g;
SELECT brin_summarize_new_values('br_i');

-- Generic WAL through the bloom index access method
\if :has_bloom
CREATE EXTENSION bloom;
CREATE TABLE bl (a int, b int);
CREATE INDEX bl_ab ON bl USING bloom (a, b);
INSERT INTO bl SELECT g, g * 3 FROM generate_series(1, 500) g;
DELETE FROM bl WHERE a % 2 = 0;
VACUUM bl;
\endif

-- Sequences, large objects, speculative insertion, COPY (multi-insert), TOAST
CREATE SEQUENCE sq;
SELECT count(nextval('sq')) FROM generate_series(1, 70);
SELECT lo_unlink(lo_from_bytea(0, convert_to(repeat('large object ', 400), 'UTF8')));
CREATE TABLE up (id int PRIMARY KEY, v text);
INSERT INTO up VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET v = 'b';
INSERT INTO up VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET v = 'b';
INSERT INTO up VALUES (2, 'a') ON CONFLICT DO NOTHING;
CREATE TABLE cp (id int, v text);
COPY cp FROM PROGRAM 'seq 1 500 | sed "s/$/\tcopied/"';
CREATE TABLE tst (id int, v text);
ALTER TABLE tst ALTER COLUMN v SET STORAGE EXTERNAL;
INSERT INTO tst SELECT 1, string_agg(md5(g::text), '') FROM generate_series(1, 200) g;

-- Heap: HOT and non-HOT updates, locks, multixacts, freeze, visibility map
CREATE TABLE hp (id int PRIMARY KEY, v text, n int) WITH (fillfactor = 60);
INSERT INTO hp SELECT g, 'v' || g, g FROM generate_series(1, 600) g;
UPDATE hp SET n = n + 1 WHERE id <= 100;
UPDATE hp SET id = id + 10000 WHERE id BETWEEN 101 AND 120;
BEGIN;
SELECT id FROM hp WHERE id = 1 FOR SHARE;
SAVEPOINT a;
UPDATE hp SET v = 'multixact' WHERE id = 1;
COMMIT;
BEGIN;
SELECT id FROM hp WHERE id = 2 FOR KEY SHARE;
SAVEPOINT a;
SELECT id FROM hp WHERE id = 2 FOR NO KEY UPDATE;
COMMIT;
DELETE FROM hp WHERE id % 7 = 0;
VACUUM hp;
VACUUM (FREEZE) hp;

-- Two-phase commit, aborts, 70 subtransactions (XACT_ASSIGNMENT after 64)
CREATE TABLE tp (id int);
BEGIN;
INSERT INTO tp VALUES (1);
PREPARE TRANSACTION 'walkit_commit';
COMMIT PREPARED 'walkit_commit';
BEGIN;
INSERT INTO tp VALUES (2);
CREATE TABLE tp_dropped_on_rollback (id int);
PREPARE TRANSACTION 'walkit_rollback';
ROLLBACK PREPARED 'walkit_rollback';
BEGIN;
INSERT INTO tp VALUES (3);
ROLLBACK;
BEGIN;
SELECT 'SAVEPOINT s' || g, 'INSERT INTO tp VALUES (' || g || ')' FROM generate_series(1, 70) g
\gexec
COMMIT;
BEGIN;
CREATE TABLE tp_dropped (id int);
INSERT INTO tp_dropped VALUES (1);
COMMIT;
DROP TABLE tp_dropped;

-- Replication origin
SELECT pg_replication_origin_create('walkit_origin');
SELECT pg_replication_origin_advance('walkit_origin', '0/ABCDE00');
SELECT pg_replication_origin_session_setup('walkit_origin');
BEGIN;
SELECT pg_replication_origin_xact_setup('0/ABCDEF0', '2024-01-01 00:00:00+00');
INSERT INTO tp VALUES (100);
COMMIT;
SELECT pg_replication_origin_session_reset();
SELECT pg_replication_origin_drop('walkit_origin');

-- Tablespace with a table and a database in it
CREATE TABLESPACE walkit_ts LOCATION :'tsdir';
CREATE TABLE in_ts (id int PRIMARY KEY, v text) TABLESPACE walkit_ts;
INSERT INTO in_ts SELECT g, 'ts' || g FROM generate_series(1, 100) g;
UPDATE in_ts SET v = v || '!' WHERE id <= 10;
TRUNCATE in_ts;
DROP TABLE in_ts;
\if :v15
CREATE DATABASE walkit_db_ts TABLESPACE walkit_ts STRATEGY = FILE_COPY;
\else
CREATE DATABASE walkit_db_ts TABLESPACE walkit_ts;
\endif
DROP DATABASE walkit_db_ts;
DROP TABLESPACE walkit_ts;

-- CREATE DATABASE: file copy (the only strategy before 15), and WAL_LOG (15+)
\if :v15
CREATE DATABASE walkit_db_copy STRATEGY = FILE_COPY;
CREATE DATABASE walkit_db_wal STRATEGY = WAL_LOG;
DROP DATABASE walkit_db_wal;
\else
CREATE DATABASE walkit_db_copy;
\endif
DROP DATABASE walkit_db_copy;

-- Relation map (VACUUM FULL of a mapped catalog), rewrite of a table, truncation, CLUSTER
VACUUM FULL pg_database;
VACUUM FULL hp;
CLUSTER churn USING churn_pkey;
TRUNCATE cp;
INSERT INTO cp VALUES (1, 'after truncate');

-- Restore point and logical messages (transactional, non-transactional, across pages)
SELECT pg_create_restore_point('walkit_restore_point');
SELECT pg_logical_emit_message(true, 'walkit', 'transactional message');
SELECT pg_logical_emit_message(false, 'walkit', 'non-transactional message');
SELECT pg_logical_emit_message(false, 'walkit-20k', repeat('0123456789abcdef', 1250));

-- 33,000 transactions: the commit log and the commit timestamps need new pages (CLOG and
-- CommitTs ZEROPAGE)
SET synchronous_commit = local;
DO $$ BEGIN FOR i IN 1..33000 LOOP PERFORM txid_current(); COMMIT; END LOOP; END $$;
RESET synchronous_commit;
CHECKPOINT;
