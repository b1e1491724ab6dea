SELECT count(DISTINCT a), sum(ALL b), now(), coalesce(a, b, 0), date(ts) FROM t
