// RunTrace on a small SQLite store: the posts a corpus holds are found, and the report says
// how long each phase took (JSON and Markdown).
#include "provenance/trace.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "core/snowflake.h"

namespace sluice {
namespace {

namespace json = boost::json;

class TraceReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-trace-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto s = OpenStore({"sqlite", dir_, true});
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
    User alice;
    alice.id = 10;
    alice.username = "alice";
    alice.name = "A";
    WriteBatch batch{{alice}, {}};
    // Twenty posts of twenty words each, drawn at random: no two share a 4-word phrase.
    static const char* kWords[] = {"river", "garden", "pasta",  "weather", "lyon",  "engine", "piano",
                                   "cloud", "market", "soleil", "maison",  "jardin", "velo",  "train",
                                   "book",  "window", "coffee", "bridge",  "stone", "dawn"};
    std::mt19937 rng(5);
    for (int i = 0; i < 20; ++i) {
      Post p;
      p.id = MakeSnowflake(kT0 + i * 60000, 0, 0);
      p.author_id = 10;
      for (int w = 0; w < 20; ++w) p.text += std::string(w ? " " : "") + kWords[rng() % std::size(kWords)];
      p.created_at = kT0 + i * 60000;
      p.conversation_id = p.id;
      p.edit_history = {p.id};
      if (i == 3) p.deleted_at = kT0 + 1;
      texts_.push_back(p.text);
      batch.posts.push_back(p);
    }
    ASSERT_TRUE(store_->Apply(batch).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string WriteCorpus(const std::vector<std::string>& lines) {
    std::string file = dir_ + "/corpus.txt";
    std::ofstream out(file);
    for (const auto& l : lines) out << l << "\n";
    return file;
  }
  static constexpr TimeMs kT0 = 1700000000000;
  std::string dir_;
  std::unique_ptr<Store> store_;
  std::vector<std::string> texts_;
};

TEST_F(TraceReportTest, FindsPostsAndTimesEachPhase) {
  std::vector<std::string> lines;
  for (int i = 0; i < 200; ++i) lines.push_back("unrelated words about weather and pianos, line " + std::to_string(i));
  lines.push_back(texts_[3]);
  lines.push_back(texts_[11]);
  TraceOptions options;
  options.files = {WriteCorpus(lines)};
  auto report = RunTrace(*store_, dir_ + "/no-ledger", options, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->indexed_posts, 20u);
  EXPECT_EQ(report->posts_matched, 2u);
  EXPECT_EQ(report->deleted_matched, 1u);

  const TraceTiming& t = report->timing;
  for (double d : {t.store_read_seconds, t.index_seconds, t.served_seconds, t.scan_seconds, t.attribution_seconds})
    EXPECT_GE(d, 0);
  EXPECT_LE(t.store_read_seconds, t.index_seconds);
  EXPECT_LE(t.index_seconds + t.served_seconds + t.scan_seconds + t.attribution_seconds, report->seconds + 1e-9);
  EXPECT_LE(t.scan_seconds, report->seconds);

  auto j = json::parse(TraceReportJson(*report));
  const auto& timing = j.at("timing");
  double total = j.at("seconds").to_number<double>();
  for (const char* key : {"store_read_seconds", "index_seconds", "served_seconds", "scan_seconds",
                          "attribution_seconds", "scan_mb_per_s"})
    EXPECT_GE(timing.at(key).to_number<double>(), 0) << key;
  EXPECT_LE(timing.at("scan_seconds").to_number<double>(), total);
  EXPECT_LE(timing.at("index_seconds").to_number<double>(), total);
  EXPECT_LE(timing.at("store_read_seconds").to_number<double>(), timing.at("index_seconds").to_number<double>());

  std::string md = TraceReportMarkdown(*report);
  EXPECT_NE(md.find("Timing: index "), std::string::npos) << md;
  EXPECT_NE(md.find(" MB/s)"), std::string::npos) << md;
}

// Posts too short for two fingerprint hashes are found where a document holds their whole
// text (edited in case and punctuation), and not where it holds only part of it, with one
// thread (Match) and several (MatchFingerprints, the trace checking the whole text).
TEST_F(TraceReportTest, ShortPostsAreFoundByTheirWholeText) {
  const std::vector<std::string> shorts = {"good morning", "big sale on blue shoes", "big sale on blue shoes today",
                                           "the train to lyon is late again"};
  WriteBatch batch;
  for (size_t i = 0; i < shorts.size(); ++i) {
    Post p;
    p.id = MakeSnowflake(kT0 + 3'600'000 + int64_t(i) * 60000, 0, 0);
    p.author_id = 10;
    p.text = shorts[i];
    p.created_at = kT0 + 3'600'000 + int64_t(i) * 60000;
    p.conversation_id = p.id;
    p.edit_history = {p.id};
    batch.posts.push_back(p);
  }
  ASSERT_TRUE(store_->Apply(batch).ok());
  for (int threads : {1, 2}) {
    TraceOptions options;
    options.threads = threads;
    options.files = {WriteCorpus({"Good morning!", "BIG SALE on blue shoes...", "Big sale on blue shoes today!!",
                                  "The train to Lyon is late again", "morning everyone", "big sale on red shoes today",
                                  "the train to lyon is late"})};
    auto report = RunTrace(*store_, dir_ + "/no-ledger", options, nullptr);
    ASSERT_TRUE(report.ok()) << report.status().message();
    EXPECT_EQ(report->posts_matched, shorts.size()) << "threads " << threads;
    options.files = {WriteCorpus({"morning everyone", "big sale on red shoes today", "the train to lyon is late",
                                  "sale on blue shoes today"})};
    report = RunTrace(*store_, dir_ + "/no-ledger", options, nullptr);
    ASSERT_TRUE(report.ok()) << report.status().message();
    EXPECT_EQ(report->posts_matched, 0u) << "threads " << threads;
  }
}

// Matcher threads change nothing in the report: a corpus of many batches (about 1 MB) with
// posts planted throughout, scanned with 1, 2 and 4 threads.
TEST_F(TraceReportTest, SameFindingsWithAnyNumberOfThreads) {
  std::vector<std::string> lines;
  for (int i = 0; i < 10000; ++i) {
    lines.push_back("filler line " + std::to_string(i) + " about the garden and the weather, nothing else here");
    if (i % 997 == 0) lines.push_back(texts_[(i / 997) % texts_.size()]);
  }
  TraceOptions options;
  options.files = {WriteCorpus(lines)};
  uint64_t matched_with_one = 0;
  for (int threads : {1, 2, 4}) {
    options.threads = threads;
    auto report = RunTrace(*store_, dir_ + "/no-ledger", options, nullptr);
    ASSERT_TRUE(report.ok()) << report.status().message();
    EXPECT_EQ(report->corpus.documents, lines.size()) << threads;
    EXPECT_EQ(report->deleted_matched, 1u) << threads;
    if (threads == 1) matched_with_one = report->posts_matched;
    EXPECT_EQ(report->posts_matched, matched_with_one) << threads;
  }
  EXPECT_EQ(matched_with_one, 11u);  // texts 0..10 planted
}

// With threads, the indexes are built while the scan starts, and the batches read meanwhile
// are fingerprinted and kept until the index is ready. 30,000 more posts make the build take
// far longer than reading this corpus, so the whole corpus waits in that backlog.
TEST_F(TraceReportTest, IndexBuiltDuringTheScanFindsTheSame) {
  WriteBatch more;
  std::mt19937 rng(7);
  for (int i = 0; i < 30000; ++i) {
    Post p;
    p.id = MakeSnowflake(kT0 + 3'600'000 + i * 1000, 0, 0);
    p.author_id = 10;
    for (int w = 0; w < 12; ++w) {
      p.text += 'w';
      p.text += std::to_string(rng() % 5000);
      p.text += ' ';
    }
    p.created_at = kT0 + 3'600'000 + i * 1000;
    p.conversation_id = p.id;
    p.edit_history = {p.id};
    more.posts.push_back(p);
  }
  ASSERT_TRUE(store_->Apply(more).ok());
  std::vector<std::string> lines;
  for (int i = 0; i < 12000; ++i) {  // about 1 MB: four batches
    lines.push_back("filler line " + std::to_string(i) + " about the garden and the weather, nothing else here");
    if (i % 1201 == 0) lines.push_back(texts_[(i / 1201) % texts_.size()]);
  }
  lines.push_back(more.posts[12345].text);
  TraceOptions options;
  options.files = {WriteCorpus(lines)};
  for (int threads : {1, 2}) {
    options.threads = threads;
    auto report = RunTrace(*store_, dir_ + "/no-ledger", options, nullptr);
    ASSERT_TRUE(report.ok()) << report.status().message();
    EXPECT_EQ(report->timing.overlapped, threads > 1);
    EXPECT_EQ(report->indexed_posts, 30020u) << threads;
    EXPECT_EQ(report->corpus.documents, lines.size()) << threads;
    EXPECT_EQ(report->posts_matched, 11u) << threads;  // texts 0..9 and the one of the 30,000
    EXPECT_EQ(report->deleted_matched, 1u) << threads;
  }
}

// An index that cannot be built (here the served index: a ledger whose first segment starts
// at record 5) is the trace's error, also when it is built during the scan.
TEST_F(TraceReportTest, IndexErrorEndsTheScanWithThreads) {
  const std::string ledger = dir_ + "/broken-ledger";
  std::filesystem::create_directories(ledger);
  std::ofstream(ledger + "/seg-00000000000000000005.log") << "not a segment";
  std::vector<std::string> lines(2000, texts_[2]);
  TraceOptions options;
  options.files = {WriteCorpus(lines)};
  for (int threads : {1, 2}) {
    options.threads = threads;
    auto report = RunTrace(*store_, ledger, options, nullptr);
    ASSERT_FALSE(report.ok()) << threads;
    EXPECT_NE(report.status().message().find("starts at record 5"), std::string::npos) << report.status().message();
  }
}

// A file that cannot be read ends the scan with its error, matcher threads or not.
TEST_F(TraceReportTest, UnreadableFileIsAnErrorWithThreads) {
  TraceOptions options;
  options.files = {WriteCorpus({texts_[1]}), dir_ + "/missing.jsonl"};
  for (int threads : {1, 3}) {
    options.threads = threads;
    auto report = RunTrace(*store_, dir_ + "/no-ledger", options, nullptr);
    ASSERT_FALSE(report.ok()) << threads;
    EXPECT_NE(report.status().message().find("missing.jsonl"), std::string::npos) << report.status().message();
  }
}

TEST(TraceReportFormat, ScanRateIsUncompressedMegabytesPerScanSecond) {
  TraceReport r;
  r.corpus.bytes = 100'000'000;
  r.corpus.uncompressed_bytes = 300'000'000;
  r.seconds = 4;
  r.timing = {.store_read_seconds = 0.25, .index_seconds = 0.5, .served_seconds = 0.125, .scan_seconds = 2,
              .attribution_seconds = 0.25};
  EXPECT_DOUBLE_EQ(r.timing.ScanMegabytesPerSecond(r.corpus.uncompressed_bytes), 150);
  auto j = json::parse(TraceReportJson(r));
  const auto& timing = j.at("timing");
  EXPECT_DOUBLE_EQ(timing.at("scan_mb_per_s").to_number<double>(), 150);
  EXPECT_DOUBLE_EQ(timing.at("scan_seconds").to_number<double>(), 2);
  EXPECT_DOUBLE_EQ(timing.at("index_seconds").to_number<double>(), 0.5);
  EXPECT_DOUBLE_EQ(timing.at("store_read_seconds").to_number<double>(), 0.25);
  EXPECT_DOUBLE_EQ(timing.at("served_seconds").to_number<double>(), 0.125);
  EXPECT_DOUBLE_EQ(timing.at("attribution_seconds").to_number<double>(), 0.25);
  EXPECT_NE(TraceReportMarkdown(r).find("scan 2.00 s (150.0 MB/s)"), std::string::npos) << TraceReportMarkdown(r);

  r.timing.scan_seconds = 0;  // nothing measurable: no rate rather than infinity
  EXPECT_EQ(json::parse(TraceReportJson(r)).at("timing").at("scan_mb_per_s").to_number<double>(), 0);
}

}  // namespace
}  // namespace sluice
