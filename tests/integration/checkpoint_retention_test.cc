// Integration: the server's checkpoints are thinned by the [ledger] retention windows
// (docs/ledger.md, Checkpoint retention), and what is left still verifies.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "harness.h"

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> Notes(const std::string& dir) {
  std::vector<fs::path> notes;
  for (const auto& e : fs::directory_iterator(dir)) notes.push_back(e.path());
  std::sort(notes.begin(), notes.end());
  return notes;
}

std::set<std::string> Names(const std::vector<fs::path>& paths) {
  std::set<std::string> names;
  for (const auto& p : paths) names.insert(p.filename().string());
  return names;
}

TEST(CheckpointRetention, OldCheckpointsAreThinnedByTheConfiguredWindowsAtTheNextStart) {
  SluiceServer s(20, 100);
  std::string token = s.CreateApp("reader");
  for (int run = 0; run < 3; ++run) {  // checkpoints of 0 (first start) and 1, 2, 3 (stops)
    s.Start();
    ASSERT_EQ(s.Get("/2/tweets/search/recent?query=the%20OR%20le", token).status, 200);
    ASSERT_EQ(s.Stop(), 0);
  }
  const std::string dir = s.data_dir() + "/ledger/checkpoints";
  auto notes = Notes(dir);
  ASSERT_EQ(Names(notes), (std::set<std::string>{"00000000000000000000.note", "00000000000000000001.note",
                                                 "00000000000000000002.note", "00000000000000000003.note"}));
  // All but the newest as if signed three days ago, in successive hours of one UTC day. The
  // ledger tags the mtimes it sets with 271,828 ns below the millisecond (kCheckpointMtimeTagNs):
  // an mtime without the tag is not the ledger's and keeps its file.
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
  const int64_t day_start = (now_s / 86400 - 3) * 86400;
  for (size_t i = 0; i + 1 < notes.size(); ++i) {
    struct timespec times[2] = {{0, UTIME_OMIT}, {time_t(day_start + 3600 * int64_t(i + 1)), 271'828}};
    ASSERT_EQ(::utimensat(AT_FDCWD, notes[i].c_str(), times, 0), 0);
  }

  // The defaults keep the newest of each hour for 30 days: each is alone in its hour.
  auto kept = RunSluice({"ledger", "checkpoint", "--data", s.data_dir()});
  ASSERT_EQ(kept.exit_code, 0) << kept.err;
  EXPECT_EQ(Names(Notes(dir)), Names(notes));

  // No hourly window: before the last hour, one a day (the newest of it), and the first.
  const std::string config = s.data_dir() + "/retention.toml";
  std::ofstream(config) << "[ledger]\ncheckpoint_keep_hourly_days = 0\n";
  auto thinned = RunSluice({"ledger", "checkpoint", "--data", s.data_dir(), "--config", config});
  ASSERT_EQ(thinned.exit_code, 0) << thinned.err;
  EXPECT_EQ(Names(Notes(dir)), (std::set<std::string>{"00000000000000000000.note", "00000000000000000002.note",
                                                      "00000000000000000003.note"}));
  auto verify = RunSluice({"ledger", "verify", "--data", s.data_dir()});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_NE(verify.out.find("3 signed checkpoints verified; closed cleanly"), std::string::npos) << verify.out;

  // A server still starts on it and serves.
  s.Start();
  EXPECT_EQ(s.Get("/2/tweets/search/recent?query=the%20OR%20le", token).status, 200);
  ASSERT_EQ(s.Stop(), 0);
}

}  // namespace
}  // namespace sluice::testing
