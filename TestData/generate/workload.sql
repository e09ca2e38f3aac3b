-- walkit WAL fixture workload (PostgreSQL 15, 16, 18).
-- Run by make-fixtures.sh with psql -X -v ON_ERROR_STOP=1 and these psql variables:
--   comp1, comp2, comp3  wal_compression for the three checkpoint/FPI phases
--                        (15: pglz, lz4, zstd; 16/18: pglz, pglz, pglz)
--   copyfile             server-side scratch file for COPY TO / COPY FROM
--   tsdir                empty directory owned by postgres, for CREATE TABLESPACE
-- The caller has already run pg_switch_wal() + CHECKPOINT so this starts in a fresh segment,
-- and runs the final pg_switch_wal() itself.

\set ON_ERROR_STOP on
SET wal_compression = :'comp1';

-- 1. Main table with one index per index AM (btree, hash, gin, gist, brin, spgist)
CREATE TABLE t (
    id    int PRIMARY KEY,          -- btree
    k     int,                      -- hash
    tags  text[],                   -- gin (fastupdate: pending list, then flush)
    pt    point,                    -- gist
    ts    timestamptz,              -- brin
    txt   text,                     -- spgist
    pad   text                      -- not indexed: HOT updates
) WITH (fillfactor = 70);
CREATE INDEX t_k_hash     ON t USING hash (k);
CREATE INDEX t_tags_gin   ON t USING gin (tags);
CREATE INDEX t_pt_gist    ON t USING gist (pt);
CREATE INDEX t_ts_brin    ON t USING brin (ts) WITH (pages_per_range = 4);
CREATE INDEX t_txt_spgist ON t USING spgist (txt);

INSERT INTO t
SELECT g, g % 97, ARRAY['a' || (g % 13), 'b' || (g % 7)], point(g % 40, g / 40),
       timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute',
       md5(g::text), repeat('p', 16)
FROM generate_series(1, 1000) g;
INSERT INTO t VALUES (1001, 1, ARRAY['single'], point(0, 0), now(), 'single row', 'x');

-- 2. Sequence (SEQ/LOG every 32 values) and an identity column
CREATE SEQUENCE walkit_seq;
SELECT count(nextval('walkit_seq')) FROM generate_series(1, 100);
CREATE TABLE ident (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text);
INSERT INTO ident (v) SELECT 'v' || g FROM generate_series(1, 40) g;

-- 3. COPY of a few thousand rows (server-side file, written by COPY TO first)
CREATE TABLE c (id int PRIMARY KEY, a int, b text);
COPY (SELECT g, g * 7, 'row ' || g FROM generate_series(1, 3000) g) TO :'copyfile';
COPY c FROM :'copyfile';

-- 4. Small transactional logical message and a ~20 kB one (record spans pages)
SELECT pg_logical_emit_message(true, 'walkit', 'hello from walkit');
SELECT pg_logical_emit_message(false, 'walkit-20k', repeat('0123456789abcdef', 1250));

-- 5. Checkpoint, then HOT updates (first touch after checkpoint -> FPIs, compression comp1)
CHECKPOINT;
UPDATE t SET pad = repeat('q', 16) WHERE id <= 300;

-- 6. Checkpoint, non-HOT updates of indexed columns (FPIs with comp2)
SET wal_compression = :'comp2';
CHECKPOINT;
UPDATE t SET k = k + 1000, txt = txt || '-u', pt = point(pt[0] + 100, pt[1]) WHERE id BETWEEN 301 AND 500;
UPDATE c SET a = -a WHERE id % 50 = 0;

-- 7. Checkpoint, deletes (FPIs with comp3), VACUUM, VACUUM FREEZE
SET wal_compression = :'comp3';
CHECKPOINT;
DELETE FROM t WHERE id % 5 = 0;
DELETE FROM c WHERE id > 2500;
VACUUM t;
VACUUM c;
VACUUM FREEZE t;
SET wal_compression = :'comp1';

-- 8. Multixact: FOR SHARE lock, then update of the same row in a subtransaction
BEGIN;
SELECT id FROM t WHERE id = 1 FOR SHARE;
SAVEPOINT sp1;
UPDATE t SET pad = 'multixact' WHERE id = 1;
COMMIT;
BEGIN;
SELECT id FROM t WHERE id = 2 FOR KEY SHARE;
SAVEPOINT sp1;
SELECT id FROM t WHERE id = 2 FOR UPDATE;
COMMIT;

-- 9. Two-phase commit: COMMIT PREPARED and ROLLBACK PREPARED
CREATE TABLE t2pc (id int, note text);
BEGIN;
INSERT INTO t2pc VALUES (1, 'to be committed');
PREPARE TRANSACTION 'walkit_2pc_commit';
COMMIT PREPARED 'walkit_2pc_commit';
BEGIN;
INSERT INTO t2pc VALUES (2, 'to be rolled back');
PREPARE TRANSACTION 'walkit_2pc_rollback';
ROLLBACK PREPARED 'walkit_2pc_rollback';

-- 10. Aborted transaction
BEGIN;
INSERT INTO t2pc VALUES (3, 'aborted');
UPDATE c SET b = 'aborted' WHERE id = 1;
ROLLBACK;

-- 11. One transaction with 80 nested subtransactions, each writing (XACT_ASSIGNMENT after 64)
CREATE TABLE sub (id int);
BEGIN;
SELECT 'SAVEPOINT s' || g, 'INSERT INTO sub VALUES (' || g || ')'
FROM generate_series(1, 80) g
\gexec
COMMIT;

-- 12. TOAST: ~16 kB of incompressible text stored externally
CREATE TABLE toasty (id int PRIMARY KEY, v text);
ALTER TABLE toasty ALTER COLUMN v SET STORAGE EXTERNAL;
INSERT INTO toasty SELECT 1, string_agg(md5(g::text), '') FROM generate_series(1, 500) g;
UPDATE toasty SET v = v || 'tail' WHERE id = 1;

-- 13. Replication origin (REPLORIGIN SET/DROP, commit with origin)
SELECT pg_replication_origin_create('walkit_origin');
SELECT pg_replication_origin_advance('walkit_origin', '0/ABCDE00');
SELECT pg_replication_origin_session_setup('walkit_origin');
BEGIN;
SELECT pg_replication_origin_xact_setup('0/ABCDEF0', '2024-01-01 00:00:00+00');
INSERT INTO t2pc VALUES (4, 'with origin');
COMMIT;
SELECT pg_replication_origin_session_reset();
SELECT pg_replication_origin_drop('walkit_origin');

-- 14. CREATE/DROP DATABASE (FILE_COPY strategy: DBASE records, not a WAL copy of template1)
CREATE DATABASE walkit_db STRATEGY = FILE_COPY;
DROP DATABASE walkit_db;

-- 15. CREATE/DROP TABLESPACE with a table in it
CREATE TABLESPACE walkit_ts LOCATION :'tsdir';
CREATE TABLE in_ts (id int, v text) TABLESPACE walkit_ts;
INSERT INTO in_ts SELECT g, 'ts' || g FROM generate_series(1, 100) g;
DROP TABLE in_ts;
DROP TABLESPACE walkit_ts;

-- 16. TRUNCATE
TRUNCATE c;
INSERT INTO c VALUES (1, 1, 'after truncate');

-- 17. Restore point
SELECT pg_create_restore_point('walkit_restore_point');

-- 18. ~1.5 MB non-transactional logical message: one record crossing a 1 MB segment boundary
SELECT pg_logical_emit_message(false, 'walkit-1.5M', repeat('WALKIT-BIG-MESSAGE-', 78948));

-- 19. A little more after the big record
INSERT INTO t VALUES (2000, 2, ARRAY['last'], point(1, 1), now(), 'last row', 'z');
SELECT pg_logical_emit_message(true, 'walkit', 'bye');
