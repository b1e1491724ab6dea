// The JSON of GET /v1/status and POST /v1/sql (docs/http_api.md) as far as the dashboard reads it.

export interface LakePartition {
  partition: string;
  files: number;
  rows: number;
  bytes: number;
  min_file_bytes: number;
  max_file_bytes: number;
}

export interface Rejection {
  age_ms: number;
  line: number;
  column: string;
  reason: string;
}

export interface StreamStatus {
  name: string;
  events: number;
  accepted: number;
  rejected: number;
  duplicates_dropped: number;
  log_first_offset: number;
  lake_horizon: number;
  lake_files: number;
  lake_lag_events: number;
  lake_bytes?: number;
  lake_partitions?: LakePartition[];
  recent_rejections?: Rejection[];
}

export interface Epoch {
  start: number;
  end: number | null;
  events: number;
  groups: number;
}

export interface ViewStatus {
  name: string;
  stream: string;
  batch_version: number;
  horizon: number;
  batch_lag_events: number;
  speed_lag_events: number;
  batch_age_ms: number;
  freshness_ms: number;
  groups: number;
  epochs: Epoch[];
}

export interface Status {
  streams: StreamStatus[];
  views: ViewStatus[];
  batch: { cycles: number; last_duration_ms: number; last_age_ms: number };
  last_background_error: string | null;
}

export interface SqlAnswer {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  tag?: string;
}
