SELECT DISTINCT c.page, count(*) total FROM clicks AS c WHERE ms > 10 AND page LIKE '/a%' GROUP BY 1 HAVING count(*) > 5 ORDER BY total DESC NULLS LAST LIMIT 10 OFFSET 2
