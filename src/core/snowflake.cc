#include "core/snowflake.h"

namespace sluice {

SnowflakeGenerator::SnowflakeGenerator(const Clock& clock, int node_id) : clock_(clock), node_(node_id & kMaxNodeId) {}

Id SnowflakeGenerator::Next() { return NextAt(clock_.NowMs()); }

Id SnowflakeGenerator::NextAt(TimeMs t) {
  std::lock_guard lock(mu_);
  if (t <= last_ms_) {
    t = last_ms_;
    if (++sequence_ >> kSnowflakeSequenceBits) {
      ++t;
      sequence_ = 0;
    }
  } else {
    sequence_ = 0;
  }
  last_ms_ = t;
  return MakeSnowflake(t, node_, sequence_);
}

}  // namespace sluice
