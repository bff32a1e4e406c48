#include <atomic>

#include "store/store.h"

namespace sluice {

namespace {
// Sequentially consistent: a bump made after a commit is seen by any thread that reads the
// generation after it, and a read of the generation is never moved past the store reads that
// follow it.
std::atomic<uint64_t> generation{0};
}  // namespace

uint64_t StoreWriteGeneration() { return generation.load(); }

void BumpStoreWriteGeneration() { generation.fetch_add(1); }

}  // namespace sluice
