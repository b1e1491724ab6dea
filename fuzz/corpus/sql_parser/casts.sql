SELECT CAST(a AS BIGINT), b::text, c::varchar(10)::int, (d + 1)::double FROM t
