-- WHERE and SQL three-valued logic over the 200-row table `t` (see query_runner_test.cc).
-- One query per statement; each statement ends with a line ending in ';'.

SELECT id, i32 FROM t WHERE i32 > 50;
SELECT id FROM t WHERE i32 > 50 AND flag;
SELECT id FROM t WHERE i32 > 50 OR flag;
SELECT id FROM t WHERE NOT (i32 > 50 OR flag);
SELECT id FROM t WHERE NOT flag;
SELECT id, flag FROM t WHERE flag IS NULL;
SELECT id FROM t WHERE flag IS NOT NULL AND i32 IS NULL;
SELECT id, i32 > 0 AND flag AS both, i32 > 0 OR flag AS either FROM t;
SELECT id FROM t WHERE grp = 'beta';
SELECT id FROM t WHERE grp <> 'beta';
SELECT id FROM t WHERE i32 IN (-100, 0, 1, 50, 99);
SELECT id, i32 NOT IN (1, 2, NULL) AS x FROM t;
SELECT id FROM t WHERE grp IN ('alpha', 'Beta') AND NOT i32 IN (3, 4);
SELECT id FROM t WHERE d BETWEEN -10 AND 10.5;
SELECT id FROM t WHERE id NOT BETWEEN 20 AND 180;
SELECT id FROM t WHERE ts BETWEEN '2024-05-01 06:00:00' AND '2024-05-01 18:30:00';
SELECT id FROM t WHERE ts >= TIMESTAMP '2024-05-02 00:00:00' AND day < DATE '2024-05-03';
SELECT id FROM t WHERE day = '2024-05-01';
SELECT id FROM t WHERE amount > 50.25;
SELECT id FROM t WHERE f >= 2.5 AND f < 4;
SELECT id, name FROM t WHERE name LIKE 'a%';
SELECT id, name FROM t WHERE name LIKE '%a%' AND name NOT LIKE '_o%';
SELECT id, name FROM t WHERE name ILIKE 'ANN';
SELECT id FROM t WHERE name = '';
SELECT id FROM t WHERE i64 % 3 = 0 AND i64 > 0;
SELECT id FROM t WHERE NULL;
SELECT id FROM t WHERE (i32 > 0) = flag;
