-- date_trunc by minute, hour and day; time comparisons.

SELECT date_trunc('day', ts) AS day, count(*), min(ts), max(ts) FROM t GROUP BY date_trunc('day', ts);
SELECT date_trunc('hour', ts) AS hour, count(*), sum(i32) FROM t GROUP BY 1;
SELECT date_trunc('minute', ts) AS minute, count(*) FROM t WHERE id < 60 GROUP BY date_trunc('minute', ts);
SELECT date_trunc('hour', ts) AS hour, grp, avg(d) FROM t GROUP BY date_trunc('hour', ts), grp;
SELECT id, date_trunc('day', ts), date_trunc('hour', ts), date_trunc('minute', ts), date_trunc('second', ts) FROM t;
SELECT id, ts FROM t WHERE date_trunc('day', ts) = TIMESTAMP '2024-05-02 00:00:00';
SELECT date_trunc('day', ts) AS d, max(ts) FROM t GROUP BY date_trunc('day', ts) ORDER BY d DESC;
