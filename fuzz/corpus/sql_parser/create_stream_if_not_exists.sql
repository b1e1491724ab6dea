CREATE STREAM IF NOT EXISTS "Events" ("Ts" timestamp, v double precision, ok bool, d date, amount decimal(12,2), b blob);
