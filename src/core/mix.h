#pragma once
//! Mix64: splitmix64's finaliser, a bijective 64-bit mixer. Snowflake ids differ mostly in
//! their low and middle bits; after mixing every output bit depends on all of them, and being
//! a bijection the mixed value can stand in for the key itself (no collisions).

#include <cstdint>

namespace sluice {

constexpr uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace sluice
