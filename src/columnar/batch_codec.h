// BatchCodec: a compact binary encoding of one RecordBatch, used as the payload of event-log records
// (docs/formats/log.md describes the bytes). The schema is not stored: the reader supplies it (the
// stream's schema), and decoding checks every length and type tag against it and against the payload
// size, so a damaged payload gives Corruption, never a crash or an oversized allocation.
// Stateless and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "columnar/column.h"
#include "common/status.h"

namespace tandem {

// Appends the encoding of `batch` to `out`.
void EncodeBatch(const RecordBatch& batch, std::string* out);
// Decodes a payload written by EncodeBatch for `schema`.
Result<RecordBatch> DecodeBatch(const Schema& schema, std::string_view payload);

}  // namespace tandem
