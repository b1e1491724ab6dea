#include "speed/speed_view.h"

namespace tandem::speed {

SpeedView::SpeedView(std::shared_ptr<const plan::ViewPlan> plan, int64_t start) : plan_(std::move(plan)) {
  epochs_.push_back({start, -1, 0, plan_->NewAggregator()});
}

Result<bool> SpeedView::Apply(int64_t first_offset, const RecordBatch& events) {
  if (first_offset < epochs_.front().start) return false;
  // Epochs are few (usually one or two): search from the newest.
  for (auto it = epochs_.rbegin(); it != epochs_.rend(); ++it) {
    if (first_offset >= it->start) {
      TANDEM_RETURN_IF_ERROR(plan_->Consume(events, it->states.get()));
      it->events += static_cast<int64_t>(events.num_rows());
      return true;
    }
  }
  return false;
}

void SpeedView::Cut(int64_t boundary) {
  Epoch& open = epochs_.back();
  if (boundary <= open.start) return;
  open.end = boundary;
  epochs_.push_back({boundary, -1, 0, plan_->NewAggregator()});
}

void SpeedView::DropBelow(int64_t horizon) {
  while (epochs_.size() > 1 && epochs_.front().end != -1 && epochs_.front().end <= horizon) {
    epochs_.erase(epochs_.begin());
  }
  // The open epoch may start below the horizon only if nothing was cut there; move its start up so
  // that later records below the horizon are ignored.
  if (epochs_.size() == 1 && epochs_.front().start < horizon && epochs_.front().events == 0) {
    epochs_.front().start = horizon;
  }
}

Status SpeedView::MergeInto(exec::HashAggregator* into) const {
  for (const Epoch& e : epochs_) TANDEM_RETURN_IF_ERROR(into->Merge(*e.states));
  return Status::OK();
}

std::vector<SpeedView::EpochInfo> SpeedView::epochs() const {
  std::vector<EpochInfo> out;
  for (const Epoch& e : epochs_) {
    out.push_back({e.start, e.end, e.events, static_cast<int64_t>(e.states->num_groups())});
  }
  return out;
}

}  // namespace tandem::speed
