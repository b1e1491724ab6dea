// FUZZ_CHECK for the fuzz targets (src/**/*_fuzz.cc): aborts with the failed condition and its line, so that
// a finding says which promise broke. Used by the libFuzzer binaries and by the corpus replays alike.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                            \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)
