SELECT t.*, * FROM t x
