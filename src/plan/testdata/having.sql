-- HAVING and expressions over aggregates and group keys.

SELECT grp, count(*) FROM t GROUP BY grp HAVING count(*) > 35;
SELECT grp, sum(d) / count(*) AS mean, max(i32) - min(i32) AS spread FROM t GROUP BY grp;
SELECT grp, count(*) * 2 + 1, sum(i64) / 1000.0 FROM t GROUP BY grp HAVING sum(i32) > 0 OR grp IS NULL;
SELECT date_trunc('hour', ts) AS hour, count(*) AS n FROM t GROUP BY 1 HAVING count(*) >= 4 AND min(d) < 0;
SELECT grp, avg(d) FROM t GROUP BY grp HAVING avg(d) > -20 AND grp <> 'gamma';
SELECT upper(grp), count(name) FROM t GROUP BY grp HAVING max(name) LIKE 'i%';
SELECT count(*) FROM t HAVING count(*) > 100;
SELECT CASE WHEN count(*) > 40 THEN 'big' ELSE 'small' END AS size, grp FROM t GROUP BY grp;
SELECT coalesce(grp, 'none') AS g, sum(amount), min(amount) FROM t GROUP BY grp;
SELECT flag, sum(d) AS total, count(*) FROM t GROUP BY flag HAVING sum(d) IS NOT NULL;
