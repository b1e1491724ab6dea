SELECT a FROM t WHERE a NOT IN (1, 2, 3) AND b IN ('x', 'y')
