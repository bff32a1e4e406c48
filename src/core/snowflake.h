#pragma once
//! Snowflake ids in X's layout: 41 bits of milliseconds since X's epoch (1288834974657),
//! 10 bits of node id, 12 bits of sequence. Ids sort by creation time, so a time bound is
//! an id bound (IdLowerBoundForTime).

#include <cstdint>
#include <mutex>

#include "core/clock.h"
#include "core/types.h"

namespace sluice {

inline constexpr TimeMs kSnowflakeEpochMs = 1288834974657;
inline constexpr int kSnowflakeNodeBits = 10;
inline constexpr int kSnowflakeSequenceBits = 12;
inline constexpr int kSnowflakeTimeShift = kSnowflakeNodeBits + kSnowflakeSequenceBits;
inline constexpr int kMaxNodeId = (1 << kSnowflakeNodeBits) - 1;

constexpr Id MakeSnowflake(TimeMs t, int node, int sequence) {
  return ((t - kSnowflakeEpochMs) << kSnowflakeTimeShift) | (Id(node) << kSnowflakeSequenceBits) | sequence;
}
constexpr TimeMs SnowflakeTime(Id id) { return (id >> kSnowflakeTimeShift) + kSnowflakeEpochMs; }
constexpr int SnowflakeNode(Id id) { return int((id >> kSnowflakeSequenceBits) & kMaxNodeId); }
constexpr int SnowflakeSequence(Id id) { return int(id & ((1 << kSnowflakeSequenceBits) - 1)); }
//! The smallest id that could have been made at or after time t.
constexpr Id IdLowerBoundForTime(TimeMs t) {
  return t <= kSnowflakeEpochMs ? 0 : (t - kSnowflakeEpochMs) << kSnowflakeTimeShift;
}

//! Makes unique, increasing ids for one node. Thread-safe. If the clock steps back, ids keep
//! increasing from the last time used (never a duplicate); if 4096 ids are asked for in one
//! millisecond, the next millisecond is borrowed.
class SnowflakeGenerator {
 public:
  SnowflakeGenerator(const Clock& clock, int node_id);
  Id Next();
  //! An id for an event at time t (seeding, import): unique within this generator.
  Id NextAt(TimeMs t);

 private:
  const Clock& clock_;
  const int node_;
  std::mutex mu_;
  TimeMs last_ms_ = 0;  // guarded by mu_
  int sequence_ = 0;    // guarded by mu_
};

}  // namespace sluice
