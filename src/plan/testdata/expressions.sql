-- Scalar expressions: arithmetic, CASE, CAST, string functions, COALESCE / NULLIF, and SELECT without FROM.

SELECT id, i32 + 1, i32 - i64, i32 * 2, -i32, i32 % 7, i64 * 3 FROM t;
SELECT id, d * 2 + 1, d / 3, d - i32, abs(d), floor(d), ceil(d) FROM t;
SELECT id, round(d), round(d, 2), abs(i32) FROM t;
SELECT id, CASE WHEN i32 > 50 THEN 'high' WHEN i32 > 0 THEN 'low' ELSE 'none' END AS level FROM t;
SELECT id, CASE grp WHEN 'alpha' THEN 1 WHEN 'beta' THEN 2 END AS code FROM t;
SELECT id, CASE WHEN flag THEN d ELSE 0 END FROM t;
SELECT id, CAST(i32 AS VARCHAR), CAST(id AS DOUBLE), CAST(d AS BIGINT), CAST(f AS DOUBLE) FROM t;
SELECT id, i32::BIGINT * 2, CAST('42' AS INTEGER) + id, CAST(ts AS DATE), CAST(day AS TIMESTAMP) FROM t;
SELECT id, CAST(flag AS INTEGER), CAST(i32 > 0 AS VARCHAR) FROM t;
SELECT id, lower(name), upper(name), length(name) FROM t;
SELECT id, name || '-' || grp, grp || i32 FROM t;
SELECT id, concat(name, '/', grp) FROM t;
SELECT id, coalesce(i32, i64, -1), coalesce(name, grp, '?') FROM t;
SELECT id, nullif(i32 % 3, 0), nullif(grp, 'alpha') FROM t;
SELECT 1 + 2 AS three, 'a' || 'b' AS ab, 2 * 3.5 AS x, CAST('2024-05-01' AS DATE) AS d;
SELECT length(''), upper('abc'), abs(-5), NULL IS NULL;
SELECT *, id * 2 AS twice FROM t WHERE id < 5;
