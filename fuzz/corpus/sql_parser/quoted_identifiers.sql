SELECT "A"."B", "select", "x""y" FROM "T" AS "A"
