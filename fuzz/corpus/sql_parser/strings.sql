SELECT 'it''s', '', 'multi
line' FROM t
