-- Aggregates: count(*) vs count(x), sum/min/max/avg over every type, GROUP BY with NULL keys.

SELECT count(*), count(grp), count(i32), count(d), count(ts), count(flag), count(amount) FROM t;
SELECT sum(i32), sum(i64), sum(d), sum(f), sum(amount) FROM t;
SELECT min(i32), max(i32), min(i64), max(i64), min(d), max(d), min(f), max(f) FROM t;
SELECT min(grp), max(grp), min(name), max(name), min(flag), max(flag) FROM t;
SELECT min(ts), max(ts), min(day), max(day), min(amount), max(amount) FROM t;
SELECT avg(i32), avg(i64), avg(d), avg(f), avg(amount) FROM t;
SELECT grp, count(*), count(name), sum(i32), avg(d) FROM t GROUP BY grp;
SELECT flag, count(*), min(ts), max(d) FROM t GROUP BY flag;
SELECT grp, flag, count(*) AS n, sum(i64) AS s FROM t GROUP BY grp, flag;
SELECT day, count(*), sum(amount) FROM t GROUP BY day;
SELECT i32 % 5 AS bucket, count(*), min(name) FROM t GROUP BY i32 % 5;
SELECT grp, count(*) FROM t WHERE i32 > 0 GROUP BY grp;
SELECT count(*), sum(d), min(name) FROM t WHERE id > 1000;
SELECT grp, sum(d) FROM t WHERE id > 1000 GROUP BY grp;
SELECT lower(grp) AS g, count(*), max(i32) FROM t GROUP BY lower(grp);
SELECT grp AS g, count(*) FROM t GROUP BY g;
SELECT grp, name, count(*) FROM t GROUP BY 1, 2;
SELECT t.grp, count(t.id) FROM t GROUP BY grp;
SELECT e.grp, count(*) FROM t AS e GROUP BY e.grp;
SELECT f, count(*) FROM t GROUP BY f;
SELECT amount IS NULL AS no_amount, count(*), sum(i32) FROM t GROUP BY amount IS NULL;
SELECT grp FROM t GROUP BY grp;
