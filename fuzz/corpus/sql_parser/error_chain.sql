SELECT 1 < x < 5
