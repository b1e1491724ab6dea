CREATE STREAM clicks (ts TIMESTAMP NOT NULL, user_id BIGINT NOT NULL, page VARCHAR(200), ms INT) WITH (event_time = 'ts', event_id = 'user_id');
