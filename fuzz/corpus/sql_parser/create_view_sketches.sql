CREATE VIEW IF NOT EXISTS daily AS SELECT CAST(ts AS DATE) AS day, approx_count_distinct(user_id), approx_quantile(ms, 0.99) FROM clicks GROUP BY 1;
