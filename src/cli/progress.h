// Progress: how a long-running CLI operation (an ingest, a batch cycle, a compaction) shows itself on
// stderr while it runs.
//
// On a terminal (Options::terminal, usually isatty(stderr)) it redraws one line in place ("\r" + text +
// erase-to-end-of-line) at most 10 times a second: a bar and percentage when the total is known, the
// count and its rate, the rejected count, elapsed time and an ETA from bytes done / total bytes. Anywhere
// else (a pipe, a log file) it prints the same text as a plain line every `plain_interval_ms` and never
// uses control characters, so logs stay readable. The terminal line is cut to the terminal's width so it
// never wraps (a wrapped line could not be redrawn in place). The first plain line comes one interval after
// the start, so quick operations print nothing but their caller's summary.
//
// What is shown comes only from the counters the caller reports: an operation whose server reports no
// progress (a batch cycle) passes a `note` and gets elapsed time, never an invented percentage.
// Finish() ends the display (on a terminal it erases the bar so the caller's summary starts on a clean
// line). Not thread-safe: one thread reports and renders. Writing errors on `out` are ignored.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

namespace tandem::cli {

class Progress {
 public:
  struct Options {
    std::string label;                 // what runs: "ingest clicks", "batch cycle"
    std::string unit;                  // what Counters::count counts ("events"); "" shows no count, no rate
    uint64_t total_bytes = 0;          // > 0: show percent and ETA of Counters::bytes against it
    bool terminal = false;             // redraw one line in place; else print plain lines
    int width = 0;                     // terminal columns (the line is cut to fit); 0: ask the terminal
    int64_t plain_interval_ms = 5000;  // time between plain lines (not on a terminal)
    std::function<int64_t()> now_ms;   // monotonic clock in ms; the steady clock when empty
  };
  struct Counters {
    uint64_t bytes = 0;    // input bytes done (for percent and ETA)
    int64_t count = 0;     // items done (events sent)
    int64_t rejected = 0;  // items refused (shown when > 0)
    std::string note;      // free text appended to the line ("waiting for the server")
  };

  Progress(FILE* out, Options options);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Records the counters and renders them if a render is due.
  void Update(const Counters& counters);
  // Prints `line` (plus '\n') as a message of its own: on a terminal the bar is erased first and redrawn
  // at the next Update.
  void Message(const std::string& line);
  // Ends the display: erases the bar on a terminal; prints nothing on a plain stream.
  void Finish();

  // The display text for `counters` after `elapsed_ms` (no control characters, no bar), e.g.
  // "ingest clicks: 45% of 27.1 MiB, 450000 events, 120000 events/s, 12 rejected, 4 s elapsed, ETA 5 s".
  std::string Text(const Counters& counters, int64_t elapsed_ms) const;
  // How many times the display was drawn (terminal redraws or plain lines).
  int64_t renders() const { return renders_; }

  // Whether `f` is a terminal.
  static bool IsTerminal(FILE* f);
  // "7 s", "2 min 05 s", "1 h 02 min".
  static std::string FormatDuration(int64_t ms);
  // "512 B", "12.3 KiB", "27.1 MiB", "1.50 GiB".
  static std::string FormatBytes(uint64_t bytes);

 private:
  int64_t Now() const;
  void Render(const Counters& counters, int64_t now);

  FILE* out_;
  Options options_;
  int64_t start_ms_ = 0;
  int64_t last_render_ms_ = 0;
  int64_t renders_ = 0;
  bool drawn_ = false;                  // a terminal line is on screen
  bool renders_after_message_ = false;  // drawn since the start or the last Message (else redraw at once)
};

}  // namespace tandem::cli
