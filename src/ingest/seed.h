#pragma once
#include <functional>
#include "core/result.h"
#include "store/store.h"
namespace sluice {
struct SeedOptions { int64_t users = 5000; int64_t posts = 200000; uint64_t seed = 1; TimeMs now = 0; int node_id = 0; int64_t batch_size = 5000; };
Status GenerateSeed(const SeedOptions& o, const std::function<Status(WriteBatch&&)>& sink, const std::function<void(int64_t, int64_t)>& progress);
}
