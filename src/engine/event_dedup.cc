#include "engine/event_dedup.h"

#include <cstring>

namespace tandem::engine {

std::optional<std::string> EventIdKey(const Column& column, size_t row) {
  if (column.IsNull(row)) return std::nullopt;
  std::string key;
  switch (column.type().id) {
    case TypeId::kString:
    case TypeId::kBinary: {
      key = "s";
      key += column.GetString(row);
      return key;
    }
    case TypeId::kInt32: {
      const int64_t v = column.Value<int32_t>(row);
      key = "i";
      key.append(reinterpret_cast<const char*>(&v), sizeof(v));
      return key;
    }
    case TypeId::kInt64: {
      const int64_t v = column.Value<int64_t>(row);
      key = "i";
      key.append(reinterpret_cast<const char*>(&v), sizeof(v));
      return key;
    }
    case TypeId::kUInt64: {
      const uint64_t v = column.Value<uint64_t>(row);
      key = "u";
      key.append(reinterpret_cast<const char*>(&v), sizeof(v));
      return key;
    }
    default: {
      // ValidateSchema allows only the types above; any other value is keyed by its JSON text.
      column.AppendJson(row, &key);
      return "j" + key;
    }
  }
}

RecordBatch FilterRows(const RecordBatch& batch, const std::vector<uint8_t>& keep) {
  std::vector<uint32_t> idx;
  idx.reserve(batch.num_rows());
  for (size_t i = 0; i < batch.num_rows(); ++i) {
    if (keep[i]) idx.push_back(static_cast<uint32_t>(i));
  }
  if (idx.size() == batch.num_rows()) return batch;
  std::vector<Column> cols;
  cols.reserve(batch.num_columns());
  for (size_t c = 0; c < batch.num_columns(); ++c) cols.push_back(batch.column(c).Take(idx));
  return RecordBatch(batch.schema(), std::move(cols), idx.size());
}

bool DedupWindow::Observe(const std::string& id, int64_t offset) {
  while (!order_.empty() && order_.front().first < offset - window_) {
    auto it = latest_.find(order_.front().second);
    if (it != latest_.end() && it->second == order_.front().first) latest_.erase(it);
    order_.pop_front();
  }
  bool duplicate = false;
  auto [it, inserted] = latest_.try_emplace(id, offset);
  if (!inserted) {
    duplicate = it->second >= offset - window_;
    it->second = offset;
  }
  order_.emplace_back(offset, id);
  end_ = offset + 1;
  return duplicate;
}

}  // namespace tandem::engine
