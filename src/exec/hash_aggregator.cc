#include "exec/hash_aggregator.h"

// Header-only xxhash: no link dependency for tandem_exec.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>

#include "exec/sort.h"

namespace tandem::exec {

namespace {

constexpr size_t kChunkRows = 4096;
constexpr size_t kInitialSlots = 1024;

// The column an expression denotes over `batch`: the batch's own column for a plain reference (no
// copy), else the evaluated column stored in `storage`.
Result<const Column*> Resolve(const Expression& e, const RecordBatch& batch, std::vector<Column>* storage) {
  if (e.kind == ExprKind::kColumn && e.column_index >= 0 &&
      static_cast<size_t>(e.column_index) < batch.num_columns() &&
      batch.column(static_cast<size_t>(e.column_index)).type() == e.type) {
    return &batch.column(static_cast<size_t>(e.column_index));
  }
  TANDEM_ASSIGN_OR_RETURN(Column c, Evaluate(e, batch));
  storage->push_back(std::move(c));
  return &storage->back();
}

void Put32(char* p, uint32_t v) {
  std::memcpy(p, &v, 4);
}

}  // namespace

HashAggregator::HashAggregator(std::vector<GroupKey> keys, std::vector<AggregateCall> aggregates)
    : keys_(std::move(keys)), aggregates_(std::move(aggregates)) {
  for (const AggregateCall& a : aggregates_) states_.push_back(a.function.CreateStates());
  table_.assign(kInitialSlots, Slot{0, kEmpty});
  if (keys_.empty()) {
    num_groups_ = 1;  // a global aggregate has its one group from the start
    key_offsets_.push_back(0);
  }
  ResizeStates();
}

Result<HashAggregator> HashAggregator::Make(std::vector<GroupKey> keys,
                                            std::vector<AggregateCall> aggregates) {
  std::set<std::string> names;
  for (const GroupKey& k : keys) {
    if (k.expr == nullptr) return Status::InvalidArgument("group key " + k.name + " has no expression");
    if (!names.insert(k.name).second) return Status::InvalidArgument("output column " + k.name + " repeats");
  }
  for (const AggregateCall& a : aggregates) {
    if (!names.insert(a.name).second) return Status::InvalidArgument("output column " + a.name + " repeats");
    if (a.function.kind == AggregateKind::kCountStar) {
      if (a.argument != nullptr) return Status::InvalidArgument("count(*) takes no argument");
      continue;
    }
    if (a.argument == nullptr) return Status::InvalidArgument(a.function.ToString() + " needs an argument");
    if (a.argument->type != a.function.input) {
      return Status::InvalidArgument(a.function.ToString() + " got an argument of type " +
                                     a.argument->type.ToString() + ": " + a.argument->ToString());
    }
  }
  return HashAggregator(std::move(keys), std::move(aggregates));
}

size_t HashAggregator::MemoryBytes() const {
  size_t bytes = table_.capacity() * sizeof(Slot) + key_arena_.capacity() +
                 key_offsets_.capacity() * sizeof(uint64_t) + scratch_keys_.capacity() +
                 (scratch_offsets_.capacity() + scratch_groups_.capacity()) * sizeof(uint32_t);
  for (const auto& s : states_) bytes += s->MemoryBytes();
  return bytes;
}

void HashAggregator::ResizeStates() {
  for (auto& s : states_) {
    if (s->num_groups() != num_groups_) s->Resize(num_groups_);
  }
}

void HashAggregator::Grow() {
  std::vector<Slot> bigger(table_.size() * 2, Slot{0, kEmpty});
  const size_t mask = bigger.size() - 1;
  for (const Slot& s : table_) {
    if (s.group == kEmpty) continue;
    size_t i = s.hash & mask;
    while (bigger[i].group != kEmpty) i = (i + 1) & mask;
    bigger[i] = s;
  }
  table_ = std::move(bigger);
}

uint32_t HashAggregator::FindOrInsert(const char* key, size_t len, uint64_t hash) {
  size_t mask = table_.size() - 1;
  size_t i = hash & mask;
  while (true) {
    const Slot& s = table_[i];
    if (s.group == kEmpty) break;
    if (s.hash == hash) {
      const uint64_t off = key_offsets_[s.group];
      if (key_offsets_[s.group + 1] - off == len && std::memcmp(key_arena_.data() + off, key, len) == 0) {
        return s.group;
      }
    }
    i = (i + 1) & mask;
  }
  const uint32_t g = static_cast<uint32_t>(num_groups_++);
  key_arena_.append(key, len);
  key_offsets_.push_back(key_arena_.size());
  table_[i] = Slot{hash, g};
  if (num_groups_ * 2 > table_.size()) Grow();
  return g;
}

void HashAggregator::AssignGroups(const std::vector<const Column*>& cols, size_t num_rows,
                                  std::vector<uint32_t>* group_ids) {
  group_ids->resize(num_rows);
  if (cols.empty()) {
    std::fill(group_ids->begin(), group_ids->end(), 0);
    return;
  }
  std::vector<uint32_t>& offsets = scratch_offsets_;
  std::vector<uint32_t> cursor(kChunkRows);
  for (size_t start = 0; start < num_rows; start += kChunkRows) {
    const size_t m = std::min(kChunkRows, num_rows - start);
    // Pass 1: the encoded length of every row.
    offsets.assign(m + 1, 0);
    for (const Column* c : cols) {
      const bool var = c->type().IsVarWidth();
      const uint32_t w = var ? 4 : static_cast<uint32_t>(c->type().FixedWidth());
      if (!c->has_nulls() && !var) {
        for (size_t r = 0; r < m; ++r) offsets[r + 1] += 1 + w;
        continue;
      }
      for (size_t r = 0; r < m; ++r) {
        const size_t row = start + r;
        if (c->IsNull(row)) {
          offsets[r + 1] += 1;
        } else {
          offsets[r + 1] +=
              1 + w + (var ? static_cast<uint32_t>(c->offsets()[row + 1] - c->offsets()[row]) : 0);
        }
      }
    }
    for (size_t r = 0; r < m; ++r) offsets[r + 1] += offsets[r];
    scratch_keys_.resize(offsets[m]);
    char* buf = scratch_keys_.data();
    for (size_t r = 0; r < m; ++r) cursor[r] = offsets[r];
    // Pass 2: write each column into every row's key.
    for (const Column* c : cols) {
      const TypeId id = c->type().id;
      if (c->type().IsVarWidth()) {
        for (size_t r = 0; r < m; ++r) {
          const size_t row = start + r;
          char* p = buf + cursor[r];
          if (c->IsNull(row)) {
            *p = 0;
            cursor[r] += 1;
            continue;
          }
          const std::string_view s = c->GetString(row);
          *p = 1;
          Put32(p + 1, static_cast<uint32_t>(s.size()));
          std::memcpy(p + 5, s.data(), s.size());
          cursor[r] += 5 + static_cast<uint32_t>(s.size());
        }
        continue;
      }
      const uint32_t w = static_cast<uint32_t>(c->type().FixedWidth());
      const uint8_t* data = c->data().data();
      for (size_t r = 0; r < m; ++r) {
        const size_t row = start + r;
        char* p = buf + cursor[r];
        if (c->IsNull(row)) {
          *p = 0;
          cursor[r] += 1;
          continue;
        }
        *p = 1;
        std::memcpy(p + 1, data + row * w, w);
        if (id == TypeId::kDouble) {
          double d;
          std::memcpy(&d, p + 1, 8);
          if (d == 0) d = 0.0;
          if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();
          std::memcpy(p + 1, &d, 8);
        } else if (id == TypeId::kFloat) {
          float f;
          std::memcpy(&f, p + 1, 4);
          if (f == 0) f = 0.0f;
          if (std::isnan(f)) f = std::numeric_limits<float>::quiet_NaN();
          std::memcpy(p + 1, &f, 4);
        }
        cursor[r] += 1 + w;
      }
    }
    // Pass 3: hash and probe.
    uint32_t* out = group_ids->data() + start;
    for (size_t r = 0; r < m; ++r) {
      const char* key = buf + offsets[r];
      const size_t len = offsets[r + 1] - offsets[r];
      out[r] = FindOrInsert(key, len, XXH3_64bits(key, len));
    }
  }
}

Status HashAggregator::Consume(const RecordBatch& batch) {
  const size_t n = batch.num_rows();
  std::vector<Column> storage;
  storage.reserve(keys_.size() + aggregates_.size());  // keeps pointers into it stable
  std::vector<const Column*> key_cols, arg_cols;
  for (const GroupKey& k : keys_) {
    TANDEM_ASSIGN_OR_RETURN(const Column* c, Resolve(*k.expr, batch, &storage));
    key_cols.push_back(c);
  }
  for (const AggregateCall& a : aggregates_) {
    if (a.argument == nullptr) {
      arg_cols.push_back(nullptr);
      continue;
    }
    TANDEM_ASSIGN_OR_RETURN(const Column* c, Resolve(*a.argument, batch, &storage));
    arg_cols.push_back(c);
  }
  AssignGroups(key_cols, n, &scratch_groups_);
  ResizeStates();
  for (size_t a = 0; a < states_.size(); ++a) {
    TANDEM_RETURN_IF_ERROR(states_[a]->UpdateGrouped(scratch_groups_.data(), arg_cols[a], n));
  }
  return Status::OK();
}

Status HashAggregator::CheckSamePlan(const HashAggregator& other) const {
  bool same = keys_.size() == other.keys_.size() && aggregates_.size() == other.aggregates_.size();
  for (size_t k = 0; same && k < keys_.size(); ++k) same = keys_[k].expr->type == other.keys_[k].expr->type;
  for (size_t a = 0; same && a < aggregates_.size(); ++a) {
    const AggregateFunction& x = aggregates_[a].function;
    const AggregateFunction& y = other.aggregates_[a].function;
    same = x.kind == y.kind && x.input == y.input && x.result == y.result;
  }
  if (!same) return Status::InvalidArgument("cannot merge aggregators of different plans");
  return Status::OK();
}

Status HashAggregator::Merge(const HashAggregator& other) {
  TANDEM_RETURN_IF_ERROR(CheckSamePlan(other));
  std::vector<uint32_t> map(other.num_groups_);
  if (keys_.empty()) {
    std::fill(map.begin(), map.end(), 0);
  } else {
    for (size_t g = 0; g < other.num_groups_; ++g) {
      const char* key = other.key_arena_.data() + other.key_offsets_[g];
      const size_t len = other.key_offsets_[g + 1] - other.key_offsets_[g];
      map[g] = FindOrInsert(key, len, XXH3_64bits(key, len));
    }
  }
  ResizeStates();
  for (size_t a = 0; a < states_.size(); ++a)
    TANDEM_RETURN_IF_ERROR(states_[a]->Merge(*other.states_[a], map.data()));
  return Status::OK();
}

std::vector<Column> HashAggregator::DecodeKeys() const {
  std::vector<Column> cols;
  for (const GroupKey& k : keys_) {
    cols.emplace_back(k.expr->type);
    cols.back().Reserve(num_groups_);
  }
  if (keys_.empty()) return cols;
  for (size_t g = 0; g < num_groups_; ++g) {
    const char* p = key_arena_.data() + key_offsets_[g];
    for (Column& c : cols) {
      if (*p++ == 0) {
        c.AppendNull();
        continue;
      }
      if (c.type().IsVarWidth()) {
        uint32_t len;
        std::memcpy(&len, p, 4);
        c.AppendString(std::string_view(p + 4, len));
        p += 4 + len;
        continue;
      }
      switch (c.type().FixedWidth()) {
        case 1: c.Append<uint8_t>(static_cast<uint8_t>(*p)); break;
        case 4: {
          int32_t v;
          std::memcpy(&v, p, 4);
          c.Append<int32_t>(v);
          break;
        }
        case 8: {
          int64_t v;
          std::memcpy(&v, p, 8);
          c.Append<int64_t>(v);
          break;
        }
        default: {
          __int128 v;
          std::memcpy(&v, p, 16);
          c.Append<__int128>(v);
          break;
        }
      }
      p += c.type().FixedWidth();
    }
  }
  return cols;
}

Result<std::vector<uint32_t>> HashAggregator::SortedGroupOrder(const std::vector<Column>& key_columns) const {
  if (keys_.empty()) return std::vector<uint32_t>(num_groups_, 0);
  Schema schema;
  std::vector<SortKey> sort_keys;
  for (size_t k = 0; k < keys_.size(); ++k) {
    schema.fields.push_back({keys_[k].name, keys_[k].expr->type, true});
    SortKey sk;
    sk.column = k;
    sort_keys.push_back(sk);
  }
  const RecordBatch keys(schema, key_columns, num_groups_);
  return SortIndices(keys, sort_keys);
}

Schema HashAggregator::StateSchema() const {
  Schema s;
  for (const GroupKey& k : keys_) s.fields.push_back({k.name, k.expr->type, true});
  for (const AggregateCall& a : aggregates_) {
    for (Field& f : a.function.StateFields(a.name)) s.fields.push_back(std::move(f));
  }
  return s;
}

Schema HashAggregator::OutputSchema() const {
  Schema s;
  for (const GroupKey& k : keys_) s.fields.push_back({k.name, k.expr->type, true});
  for (const AggregateCall& a : aggregates_) {
    s.fields.push_back({a.name, a.function.result,
                        a.function.kind != AggregateKind::kCountStar &&
                            a.function.kind != AggregateKind::kCount &&
                            a.function.kind != AggregateKind::kApproxCountDistinct});
  }
  return s;
}

Result<RecordBatch> HashAggregator::ExportStates() const {
  std::vector<Column> cols = DecodeKeys();
  TANDEM_ASSIGN_OR_RETURN(std::vector<uint32_t> order, SortedGroupOrder(cols));
  for (const auto& s : states_) s->ExportStates(&cols);
  const RecordBatch unsorted(StateSchema(), std::move(cols), num_groups_);
  if (keys_.empty()) return unsorted;
  return TakeBatch(unsorted, order);
}

Result<RecordBatch> HashAggregator::Finalize() const {
  std::vector<Column> cols = DecodeKeys();
  TANDEM_ASSIGN_OR_RETURN(std::vector<uint32_t> order, SortedGroupOrder(cols));
  for (const auto& s : states_) {
    TANDEM_ASSIGN_OR_RETURN(Column c, s->Finalize());
    cols.push_back(std::move(c));
  }
  const RecordBatch unsorted(OutputSchema(), std::move(cols), num_groups_);
  if (keys_.empty()) return unsorted;
  return TakeBatch(unsorted, order);
}

Status HashAggregator::ImportStates(const RecordBatch& states) {
  const Schema expected = StateSchema();
  if (states.num_columns() != expected.fields.size()) {
    return Status::InvalidArgument("state table has " + std::to_string(states.num_columns()) +
                                   " columns, expected " + std::to_string(expected.fields.size()) + " (" +
                                   expected.ToString() + ")");
  }
  for (size_t c = 0; c < expected.fields.size(); ++c) {
    if (states.column(c).type() != expected.fields[c].type ||
        states.column(c).length() != states.num_rows()) {
      return Status::InvalidArgument(
          "state table column " + std::to_string(c) + " (" + expected.fields[c].name + ") has type " +
          states.column(c).type().ToString() + ", expected " + expected.fields[c].type.ToString());
    }
  }
  const size_t n = states.num_rows();
  std::vector<const Column*> key_cols;
  for (size_t k = 0; k < keys_.size(); ++k) key_cols.push_back(&states.column(k));
  AssignGroups(key_cols, n, &scratch_groups_);
  ResizeStates();
  size_t col = keys_.size();
  for (size_t a = 0; a < aggregates_.size(); ++a) {
    const size_t width = aggregates_[a].function.StateFields(aggregates_[a].name).size();
    std::vector<const Column*> sc;
    for (size_t i = 0; i < width; ++i) sc.push_back(&states.column(col + i));
    col += width;
    TANDEM_RETURN_IF_ERROR(states_[a]->ImportStates(sc, scratch_groups_.data(), n));
  }
  return Status::OK();
}

}  // namespace tandem::exec
