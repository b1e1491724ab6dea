CREATE VIEW page_counts AS SELECT page, count(*) AS n FROM clicks GROUP BY page;
