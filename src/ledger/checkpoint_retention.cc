#include "ledger/checkpoint_retention.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "core/parse.h"

namespace sluice {

namespace {

int64_t Bucket(TimeMs t, int64_t width) {
  // Floor division: times before the epoch (only in tests) still bucket consistently.
  int64_t q = t / width;
  return (t % width != 0 && t < 0) ? q - 1 : q;
}

}  // namespace

timespec CheckpointMtime(TimeMs t) {
  const int64_t sec = Bucket(t, 1000);
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(sec);
  ts.tv_nsec = static_cast<long>((t - sec * 1000) * 1'000'000 + kCheckpointMtimeTagNs);
  return ts;
}

std::optional<TimeMs> CheckpointTimeOfMtime(const timespec& mtime) {
  if (mtime.tv_nsec < 0 || mtime.tv_nsec % 1'000'000 != kCheckpointMtimeTagNs) return std::nullopt;
  return TimeMs(mtime.tv_sec) * 1000 + TimeMs(mtime.tv_nsec / 1'000'000);
}

std::vector<uint64_t> CheckpointsToThin(std::vector<CheckpointFileTime> files, TimeMs now,
                                        const CheckpointRetention& retention, uint64_t protect) {
  std::vector<uint64_t> out;
  if (files.size() < 3) return out;  // the newest and the oldest are always kept
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.size < b.size; });
  const int64_t hour = std::max<int64_t>(retention.hour_ms, 1);
  const int64_t day = std::max<int64_t>(retention.day_ms, 1);

  // Effective times: never before a smaller checkpoint's (see the header). A time after
  // now counts as unknown: that file is kept and says nothing about the others.
  std::vector<std::optional<TimeMs>> time(files.size());
  std::optional<TimeMs> floor;
  for (size_t i = 0; i < files.size(); ++i) {
    if (!files[i].time || *files[i].time > now) continue;
    floor = floor ? std::max(*floor, *files[i].time) : *files[i].time;
    time[i] = floor;
  }

  // A file is the newest of its hour (day) when the next larger file with a known time is
  // in a later hour (day), or there is none. Unknown times are skipped over: they are kept
  // anyway, and must not make a known file look like the last of its bucket.
  std::optional<TimeMs> next_time;  // of the next larger file with a known time
  std::vector<bool> keep(files.size(), false);
  for (size_t i = files.size(); i-- > 0;) {
    const auto& t = time[i];
    bool k = i + 1 == files.size() || i == 0 || files[i].size == protect || !t;
    if (!k) {
      const int64_t age = now - *t;
      if (age < retention.keep_all_ms) {
        k = true;
      } else if (age < retention.keep_hourly_ms) {
        k = !next_time || Bucket(*next_time, hour) != Bucket(*t, hour);
      } else {
        k = !next_time || Bucket(*next_time, day) != Bucket(*t, day);
      }
    }
    keep[i] = k;
    if (t) next_time = t;
  }
  for (size_t i = 0; i < files.size(); ++i)
    if (!keep[i]) out.push_back(files[i].size);
  return out;
}

Result<uint64_t> ThinCheckpointDir(const std::string& checkpoint_dir, TimeMs now,
                                   const CheckpointRetention& retention, uint64_t protect, uint64_t* untagged_out) {
  std::vector<CheckpointFileTime> files;
  uint64_t untagged = 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(checkpoint_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const auto size = ParseInt<uint64_t>(std::string_view(name).substr(0, 20));
    if (!size.ok() || name != fmt::format("{:020}.note", size.value)) continue;
    CheckpointFileTime f{size.value, std::nullopt};
    struct stat st;
    if (::stat(it->path().c_str(), &st) == 0) f.time = CheckpointTimeOfMtime(st.st_mtim);
    if (!f.time) ++untagged;
    files.push_back(f);
  }
  if (ec) return InternalError(fmt::format("ledger: cannot list {}: {}", checkpoint_dir, ec.message()));
  if (untagged_out) *untagged_out = untagged;
  uint64_t removed = 0;
  std::string failed;
  for (uint64_t size : CheckpointsToThin(std::move(files), now, retention, protect)) {
    std::string path = fmt::format("{}/{:020}.note", checkpoint_dir, size);
    if (::unlink(path.c_str()) == 0 || errno == ENOENT) {
      ++removed;
    } else if (failed.empty()) {
      failed = fmt::format("ledger: cannot delete {}: {}", path, std::strerror(errno));
    }
  }
  if (!failed.empty()) return InternalError(failed);
  return removed;
}

}  // namespace sluice
