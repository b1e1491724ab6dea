#pragma once
// Strict integer reads from parsed JSON, for the on-disk JSON files Tandem owns (lake manifests, batch view
// CURRENT pointers). Include it only from .cc files that already parse JSON: nlohmann/json.hpp is heavy.

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>

namespace tandem {

// A JSON integer in the int64 range. Anything else (a float, 1e300, a string, an unsigned above INT64_MAX)
// throws nlohmann::json::type_error naming the problem, which callers report as Corruption. nlohmann's own
// get<int64_t>() would convert floats (undefined behaviour when out of range) and wrap large unsigned values.
inline int64_t JsonToInt64(const nlohmann::json& j) {
  if (j.is_number_unsigned()) {
    if (j.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      throw nlohmann::json::type_error::create(302, "number out of the int64 range", &j);
    }
    return static_cast<int64_t>(j.get<uint64_t>());
  }
  if (!j.is_number_integer()) throw nlohmann::json::type_error::create(302, "expected an integer", &j);
  return j.get<int64_t>();
}

}  // namespace tandem
