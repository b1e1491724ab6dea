SELECT - -1, -(1), +x, NOT NOT y, - x::int FROM t
