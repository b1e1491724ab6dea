SELECT a FROM t WHERE a LIKE 'x%' OR a NOT ILIKE '_y' OR a NOT LIKE b || '%'
