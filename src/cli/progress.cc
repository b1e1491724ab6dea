#include "cli/progress.h"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

namespace tandem::cli {

namespace {

constexpr int64_t kTerminalIntervalMs = 100;  // at most 10 redraws a second
constexpr int kBarWidth = 24;

}  // namespace

Progress::Progress(FILE* out, Options options) : out_(out), options_(std::move(options)) {
  start_ms_ = Now();
  last_render_ms_ = start_ms_;
}

int64_t Progress::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool Progress::IsTerminal(FILE* f) {
  return f != nullptr && isatty(fileno(f)) == 1;
}

std::string Progress::FormatDuration(int64_t ms) {
  const int64_t s = std::max<int64_t>(0, ms) / 1000;
  if (s < 60) return fmt::format("{} s", s);
  if (s < 3600) return fmt::format("{} min {:02} s", s / 60, s % 60);
  return fmt::format("{} h {:02} min", s / 3600, (s / 60) % 60);
}

std::string Progress::FormatBytes(uint64_t bytes) {
  const double b = static_cast<double>(bytes);
  if (bytes < 1024) return fmt::format("{} B", bytes);
  if (bytes < (uint64_t{1} << 20)) return fmt::format("{:.1f} KiB", b / 1024);
  if (bytes < (uint64_t{1} << 30)) return fmt::format("{:.1f} MiB", b / (1024.0 * 1024));
  return fmt::format("{:.2f} GiB", b / (1024.0 * 1024 * 1024));
}

std::string Progress::Text(const Counters& c, int64_t elapsed_ms) const {
  std::string text = options_.label + ":";
  auto add = [&](const std::string& part) { text += (text.back() == ':' ? " " : ", ") + part; };
  const uint64_t total = options_.total_bytes;
  if (total > 0) {
    const uint64_t done = std::min(c.bytes, total);
    add(fmt::format("{}% of {}", done * 100 / total, FormatBytes(total)));
  }
  if (!options_.unit.empty()) {
    add(fmt::format("{} {}", c.count, options_.unit));
    if (elapsed_ms > 0) add(fmt::format("{} {}/s", c.count * 1000 / elapsed_ms, options_.unit));
  }
  if (c.rejected > 0) add(fmt::format("{} rejected", c.rejected));
  add(FormatDuration(elapsed_ms) + " elapsed");
  if (total > 0 && c.bytes > 0 && c.bytes < total && elapsed_ms > 0) {
    const double rate = static_cast<double>(c.bytes) / static_cast<double>(elapsed_ms);  // bytes per ms
    add("ETA " + FormatDuration(static_cast<int64_t>(static_cast<double>(total - c.bytes) / rate)));
  }
  if (!c.note.empty()) add(c.note);
  return text;
}

void Progress::Update(const Counters& counters) {
  const int64_t now = Now();
  const int64_t interval = options_.terminal ? kTerminalIntervalMs : options_.plain_interval_ms;
  const bool due = options_.terminal ? (!renders_after_message_ || now - last_render_ms_ >= interval)
                                     : now - last_render_ms_ >= interval;
  if (due) Render(counters, now);
}

void Progress::Render(const Counters& counters, int64_t now) {
  last_render_ms_ = now;
  ++renders_;
  const std::string text = Text(counters, now - start_ms_);
  if (!options_.terminal) {
    std::fprintf(out_, "tandem: %s\n", text.c_str());
    std::fflush(out_);
    return;
  }
  std::string bar;
  if (options_.total_bytes > 0) {
    const uint64_t done = std::min(counters.bytes, options_.total_bytes);
    const int filled = static_cast<int>(done * kBarWidth / options_.total_bytes);
    bar = "[" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') + "] ";
  }
  std::string line = bar + text;
  int width = options_.width;
  if (width <= 0) {
    winsize ws{};
    width = ioctl(fileno(out_), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
  }
  // One column spare: writing the last column makes some terminals wrap at once.
  if (line.size() >= static_cast<size_t>(width)) line.resize(static_cast<size_t>(std::max(1, width - 1)));
  // \r to the line start, the text, then erase whatever a longer previous line left (ESC [ K).
  std::fprintf(out_, "\r%s\x1b[K", line.c_str());
  std::fflush(out_);
  drawn_ = true;
  renders_after_message_ = true;
}

void Progress::Message(const std::string& line) {
  if (options_.terminal && drawn_) {
    std::fprintf(out_, "\r\x1b[K");
    drawn_ = false;
    renders_after_message_ = false;
  }
  std::fprintf(out_, "%s\n", line.c_str());
  std::fflush(out_);
}

void Progress::Finish() {
  if (options_.terminal && drawn_) {
    std::fprintf(out_, "\r\x1b[K");
    std::fflush(out_);
    drawn_ = false;
  }
}

}  // namespace tandem::cli
