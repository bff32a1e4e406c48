// Integration: the evidence ledger as the server writes it and the `sluice ledger` commands
// read it, including crashes (kill -9) and tampering.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "harness.h"

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

std::vector<json::object> Export(const SluiceServer& s, const std::string& app = "0") {
  auto r = RunSluice({"ledger", "export", "--data", s.data_dir(), "--app", app});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<json::object> records;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) records.push_back(json::parse(line).as_object());
  return records;
}

std::string OnlySegment(const SluiceServer& s) {
  std::vector<std::string> segments;
  for (const auto& e : fs::directory_iterator(s.data_dir() + "/ledger"))
    if (e.path().extension() == ".log") segments.push_back(e.path().string());
  EXPECT_EQ(segments.size(), 1u);
  return segments.empty() ? "" : segments.front();
}

std::string AppId(const std::string& apps_create_json) { return Str(json::parse(apps_create_json), "app_id"); }

TEST(Ledger, RecordsDeliveriesRefusalsAndWritesThenProvesThem) {
  SluiceServer s(50, 500);
  auto created = RunSluice({"apps", "create", "--data", s.data_dir(), "--name", "reader", "--use", "search,display"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  std::string token = Str(json::parse(created.out), "bearer_token");
  std::string app = AppId(created.out);
  s.Start();

  auto search = s.Get("/2/tweets/search/recent?query=the%20OR%20le&max_results=10&expansions=author_id", token).Json();
  std::vector<std::string> delivered, authors;
  for (const auto& p : search.at("data").as_array()) delivered.push_back(Str(p, "id"));
  for (const auto& u : search.at("includes").at("users").as_array()) authors.push_back(Str(u, "id"));
  EXPECT_EQ(s.Get("/2/tweets/" + delivered[0], "").status, 401);
  EXPECT_EQ(s.Get("/2/tweets/search/recent?query=the&max_results=5", token).status, 400);  // delivers nothing
  auto posted = s.Request("POST", "/2/tweets", token, R"({"text":"on the record"})");
  ASSERT_EQ(posted.status, 201);
  std::string new_id = Str(posted.Json().at("data"), "id");

  // `ledger checkpoint` may not write to a ledger the server holds.
  auto busy = RunSluice({"ledger", "checkpoint", "--data", s.data_dir()});
  EXPECT_NE(busy.exit_code, 0);
  EXPECT_NE(busy.err.find("in use"), std::string::npos) << busy.err;
  ASSERT_EQ(s.Stop(), 0);

  auto records = Export(s);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(Str(records[0], "endpoint"), "GET /2/tweets/search/recent");
  EXPECT_EQ(Str(records[0], "app_id"), app);
  EXPECT_EQ(Str(records[0], "use"), "search,display");
  EXPECT_EQ(records[0].at("status").as_int64(), 200);
  std::vector<std::string> recorded, recorded_users;
  for (const auto& id : records[0].at("post_ids").as_array()) recorded.emplace_back(id.as_string());
  for (const auto& id : records[0].at("user_ids").as_array()) recorded_users.emplace_back(id.as_string());
  EXPECT_EQ(recorded, delivered);
  EXPECT_EQ(recorded_users, authors);
  EXPECT_EQ(Str(records[1], "endpoint"), "POST /2/tweets");
  EXPECT_EQ(std::string(records[1].at("post_ids").as_array().at(0).as_string()), new_id);
  // The 401 is counted with the other refusals of its second, appended when the second ends
  // (here: at stop, which came first).
  EXPECT_EQ(records[2].at("status").as_int64(), 401);
  EXPECT_EQ(Str(records[2], "app_id"), "0");
  EXPECT_EQ(Str(records[2], "endpoint"), "GET /2/tweets/:id");
  EXPECT_EQ(records[2].at("count").as_int64(), 1);
  EXPECT_TRUE(records[2].at("post_ids").as_array().empty());
  EXPECT_EQ(Export(s, app).size(), 2u);

  ASSERT_EQ(RunSluice({"ledger", "checkpoint", "--data", s.data_dir()}).exit_code, 0);
  auto verify = RunSluice({"ledger", "verify", "--data", s.data_dir()});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_NE(verify.out.find("3 records"), std::string::npos) << verify.out;

  // A proof a third party checks with the file and the public key alone.
  auto prove = RunSluice({"ledger", "prove", "--data", s.data_dir(), "--app", app, "--post", delivered[0]});
  ASSERT_EQ(prove.exit_code, 0) << prove.err;
  EXPECT_EQ(json::parse(prove.out).at("deliveries").as_array().size(), 1u);
  std::string key = RunSluice({"ledger", "pubkey", "--data", s.data_dir()}).out;
  key.pop_back();
  char tmpl[] = "/tmp/sluice-proof-XXXXXX";
  std::string elsewhere = mkdtemp(tmpl);
  std::string file = elsewhere + "/proof.json";
  std::ofstream(file) << prove.out;
  auto check = RunSluice({"ledger", "check-proof", file, "--pubkey", key});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_NE(check.out.find("OK"), std::string::npos);
  // The same file with the record's time changed by one digit no longer checks.
  std::string forged = prove.out;
  size_t rec = forged.find("\"record\":\"") + 10;
  forged[rec + 8] = forged[rec + 8] == 'A' ? 'B' : 'A';
  std::ofstream(file) << forged;
  EXPECT_NE(RunSluice({"ledger", "check-proof", file, "--pubkey", key}).exit_code, 0);
  fs::remove_all(elsewhere);

  // Never delivered: no proof.
  EXPECT_NE(RunSluice({"ledger", "prove", "--data", s.data_dir(), "--app", app, "--post", "1"}).exit_code, 0);
}

TEST(Ledger, VerifyNamesTheFlippedByteAndTheCutRecord) {
  SluiceServer s(20, 100);
  std::string token = s.CreateApp("reader");
  s.Start();
  for (int i = 0; i < 5; ++i) s.Get("/2/tweets/search/recent?query=the%20OR%20le", token);
  ASSERT_EQ(s.Stop(), 0);
  std::string segment = OnlySegment(s);
  std::string name = fs::path(segment).filename().string();
  ASSERT_EQ(RunSluice({"ledger", "verify", "--data", s.data_dir()}).exit_code, 0);
  std::string original;
  {
    std::ifstream in(segment, std::ios::binary);
    original.assign(std::istreambuf_iterator<char>(in), {});
  }
  // One byte flipped in the third record's payload.
  std::string flipped = original;
  size_t offset = 16;
  for (int i = 0; i < 2; ++i) offset += 8 + (uint8_t(flipped[offset]) | uint8_t(flipped[offset + 1]) << 8);
  flipped[offset + 8 + 20] ^= 0x01;
  std::ofstream(segment, std::ios::binary | std::ios::trunc) << flipped;
  auto bad = RunSluice({"ledger", "verify", "--data", s.data_dir()});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find(name), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("offset " + std::to_string(offset)), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("record 2"), std::string::npos) << bad.err;

  // Cut in the middle of the last record.
  std::ofstream(segment, std::ios::binary | std::ios::trunc) << original.substr(0, original.size() - 7);
  auto cut = RunSluice({"ledger", "verify", "--data", s.data_dir()});
  EXPECT_NE(cut.exit_code, 0);
  EXPECT_NE(cut.err.find("record 4"), std::string::npos) << cut.err;

  // The tree hashes cover record 4: the server does not start, and says how to repair.
  auto refused = RunSluice({"serve", "--data", s.data_dir(), "--listen", "127.0.0.1:0"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("the tree hashes cover 5 records"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("sluice ledger verify --data " + s.data_dir()), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("sluice ledger repair --data " + s.data_dir()), std::string::npos) << refused.err;
  // An explicit repair cuts it, keeps the bytes and logs it; then it verifies and serves.
  auto repaired = RunSluice({"ledger", "repair", "--data", s.data_dir()});
  EXPECT_EQ(repaired.exit_code, 0) << repaired.err;
  EXPECT_NE(repaired.out.find(" bytes at " + name + " offset"), std::string::npos) << repaired.out;
  EXPECT_NE(repaired.out.find("(record 4)"), std::string::npos) << repaired.out;
  EXPECT_NE(repaired.out.find("moved checkpoint 00000000000000000005.note"), std::string::npos) << repaired.out;
  EXPECT_TRUE(fs::exists(s.data_dir() + "/ledger/repairs.log"));
  s.Start();
  ASSERT_EQ(s.Stop(), 0);
  auto healed = RunSluice({"ledger", "verify", "--data", s.data_dir()});
  EXPECT_EQ(healed.exit_code, 0) << healed.err;
  EXPECT_NE(healed.out.find("4 records"), std::string::npos) << healed.out;
  EXPECT_NE(healed.out.find("closed cleanly"), std::string::npos) << healed.out;
}

// kill -9 at arbitrary moments under mixed reads and writes: after each restart the ledger
// verifies, and every POST that was acknowledged is both stored and recorded.
TEST(Ledger, SurvivesRepeatedKillNineWithoutLosingAcknowledgedWrites) {
  SluiceServer s(50, 500);
  std::string token = s.CreateApp("writer", "enterprise");
  std::mutex mu;
  std::set<std::string> acked;
  std::mt19937 rng(42);
  for (int round = 0; round < 20; ++round) {
    s.Start();
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int c = 0; c < 3; ++c) {
      clients.emplace_back([&, c] {
        for (int i = 0; !stop; ++i) {
          try {
            if (c == 0) {
              auto r = s.Request("POST", "/2/tweets", token, "{\"text\":\"round " + std::to_string(round) + " post " + std::to_string(i) + "\"}");
              if (r.status == 201) {
                std::lock_guard lock(mu);
                acked.insert(Str(r.Json().at("data"), "id"));
              }
            } else {
              s.Get("/2/tweets/search/recent?query=the%20OR%20round&max_results=100&expansions=author_id", token);
            }
          } catch (const std::exception&) {
            return;  // the server died mid-request
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 300));
    s.Kill();
    stop = true;
    for (auto& t : clients) t.join();
  }
  s.Start();  // recovers the last crash
  for (const auto& id : acked) {
    auto r = s.Get("/2/tweets/" + id, token);
    ASSERT_TRUE(r.Json().as_object().contains("data")) << "acknowledged post " << id << " is missing";
  }
  ASSERT_EQ(s.Stop(), 0);
  auto verify = RunSluice({"ledger", "verify", "--data", s.data_dir()});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  std::set<std::string> recorded;
  for (const auto& r : Export(s))
    if (Str(r, "endpoint") == "POST /2/tweets" && r.at("status").as_int64() == 201)
      recorded.insert(std::string(r.at("post_ids").as_array().at(0).as_string()));
  for (const auto& id : acked) EXPECT_TRUE(recorded.count(id)) << "acknowledged post " << id << " has no ledger record";
  EXPECT_GT(acked.size(), 20u);
}

// Damage inside the records the tree hashes cover, newer than the last checkpoint the
// damage leaves: verify fails, the server refuses to start (cutting nothing), and only an
// explicit repair goes on.
TEST(Ledger, StartRefusesDamagedCoveredRecordsUntilRepaired) {
  SluiceServer s(20, 100);
  std::string token = s.CreateApp("reader");
  auto frames = [&](const std::string& bytes) {
    std::vector<size_t> offsets;
    for (size_t at = 16; at + 8 <= bytes.size();) {
      offsets.push_back(at);
      at += 8 + (uint8_t(bytes[at]) | uint8_t(bytes[at + 1]) << 8 | uint8_t(bytes[at + 2]) << 16);
    }
    return offsets;
  };
  struct Damage {
    const char* name;
    std::function<std::string(const std::string&, size_t last_frame)> apply;
  };
  std::vector<Damage> damages = {
      {"cut at a frame boundary", [](const std::string& b, size_t last) { return b.substr(0, last); }},
      {"zeroed tail",
       [](const std::string& b, size_t last) { return b.substr(0, last) + std::string(b.size() - last, '\0'); }},
      {"flipped length bit",
       [](const std::string& b, size_t last) {
         std::string d = b;
         d[last + 1] ^= 0x40;
         return d;
       }},
  };
  for (const auto& damage : damages) {
    s.Start();
    for (int i = 0; i < 3; ++i) ASSERT_EQ(s.Get("/2/tweets/search/recent?query=the%20OR%20le", token).status, 200);
    ASSERT_EQ(s.Stop(), 0);
    std::string segment = OnlySegment(s);
    std::string bytes;
    {
      std::ifstream in(segment, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    auto offsets = frames(bytes);
    ASSERT_GE(offsets.size(), 3u);
    std::ofstream(segment, std::ios::binary | std::ios::trunc) << damage.apply(bytes, offsets.back());
    // The newest checkpoint (and the marker) gone too: the tree hashes alone still tell.
    fs::remove(s.data_dir() + "/ledger/CLOSED");
    char note[32];
    std::snprintf(note, sizeof note, "%020zu.note", offsets.size());
    fs::remove(s.data_dir() + "/ledger/checkpoints/" + note);

    auto verify = RunSluice({"ledger", "verify", "--data", s.data_dir()});
    EXPECT_NE(verify.exit_code, 0) << damage.name << ": " << verify.out;
    EXPECT_NE(verify.err.find("records were removed or cut"), std::string::npos) << damage.name << ": " << verify.err;
    auto refused = RunSluice({"serve", "--data", s.data_dir(), "--listen", "127.0.0.1:0"});
    EXPECT_NE(refused.exit_code, 0) << damage.name;
    EXPECT_NE(refused.err.find("the tree hashes cover " + std::to_string(offsets.size()) + " records"), std::string::npos)
        << damage.name << ": " << refused.err;
    EXPECT_NE(refused.err.find("sluice ledger repair --data"), std::string::npos) << refused.err;
    auto repaired = RunSluice({"ledger", "repair", "--data", s.data_dir()});
    EXPECT_EQ(repaired.exit_code, 0) << damage.name << ": " << repaired.err;
    auto healed = RunSluice({"ledger", "verify", "--data", s.data_dir()});
    EXPECT_EQ(healed.exit_code, 0) << damage.name << ": " << healed.err;
    EXPECT_NE(healed.out.find(std::to_string(offsets.size() - 1) + " records"), std::string::npos) << healed.out;
    fs::remove_all(s.data_dir() + "/ledger");  // the next damage starts afresh
  }
}

// A checkpoint is never signed over tree hashes that do not match the records.
TEST(Ledger, CheckpointRefusesACorruptTreeHashFile) {
  SluiceServer s(20, 100);
  std::string token = s.CreateApp("reader");
  s.Start();
  for (int i = 0; i < 4; ++i) ASSERT_EQ(s.Get("/2/tweets/search/recent?query=the%20OR%20le", token).status, 200);
  ASSERT_EQ(s.Stop(), 0);
  std::string level0 = s.data_dir() + "/ledger/tree/level-00.hashes";
  {
    std::fstream f(level0, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(2 * 32 + 7);
    f.put('\x5a');
  }
  size_t notes = std::distance(fs::directory_iterator(s.data_dir() + "/ledger/checkpoints"), fs::directory_iterator());
  auto signed_ = RunSluice({"ledger", "checkpoint", "--data", s.data_dir()});
  EXPECT_NE(signed_.exit_code, 0) << signed_.out;
  EXPECT_NE(signed_.err.find("the tree hashes do not match the records"), std::string::npos) << signed_.err;
  EXPECT_EQ(std::distance(fs::directory_iterator(s.data_dir() + "/ledger/checkpoints"), fs::directory_iterator()),
            long(notes));
  auto verify = RunSluice({"ledger", "verify", "--data", s.data_dir()});
  EXPECT_NE(verify.exit_code, 0);
  EXPECT_NE(verify.err.find("level-00.hashes: hash 2 differs"), std::string::npos) << verify.err;
}

uint64_t LedgerBytes(const SluiceServer& s) {
  uint64_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(s.data_dir() + "/ledger"))
    if (e.is_regular_file()) total += e.file_size();
  return total;
}

// Right after kill -9, before any restart, verify says the ledger was not closed cleanly
// and what recovery will do; never that it was altered. Then the restart recovers it and a
// graceful stop closes it cleanly.
TEST(Ledger, VerifyAfterKillNineSaysNotClosedCleanlyNeverAltered) {
  SluiceServer s(50, 500);
  std::string token = s.CreateApp("writer", "enterprise");
  std::mt19937 rng(std::random_device{}());
  for (int round = 0; round < 5; ++round) {
    s.Start();
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int c = 0; c < 3; ++c) {
      clients.emplace_back([&, c] {
        for (int i = 0; !stop; ++i) {
          try {
            if (c == 0)
              s.Request("POST", "/2/tweets", token, "{\"text\":\"kill " + std::to_string(i) + "\"}");
            else if (c == 1)
              s.Get("/2/tweets/search/recent?query=the%20OR%20kill&max_results=100", token);
            else
              s.Get("/2/tweets/search/recent?query=the", "made-up-token");
          } catch (const std::exception&) {
            return;  // the server died mid-request
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200 + rng() % 600));
    s.Kill();
    stop = true;
    for (auto& t : clients) t.join();

    auto crashed = RunSluice({"ledger", "verify", "--data", s.data_dir()});
    EXPECT_EQ(crashed.exit_code, 0) << "round " << round << ": " << crashed.err;
    EXPECT_NE(crashed.out.find("not closed cleanly"), std::string::npos) << crashed.out;
    for (const char* tamper : {"altered", "differs", "removed", "deleted"}) {
      EXPECT_EQ(crashed.err.find(tamper), std::string::npos) << crashed.err;
      EXPECT_EQ(crashed.out.find(tamper), std::string::npos) << crashed.out;
    }
    s.Start();
    ASSERT_EQ(s.Stop(), 0);
    auto closed = RunSluice({"ledger", "verify", "--data", s.data_dir()});
    EXPECT_EQ(closed.exit_code, 0) << closed.err;
    EXPECT_NE(closed.out.find("closed cleanly"), std::string::npos) << closed.out;
    EXPECT_EQ(closed.out.find("not closed cleanly"), std::string::npos) << closed.out;
  }
}

// A server that runs for well under a second still signs checkpoints, at start and at stop;
// deleting them all is noticed.
TEST(Ledger, ShortRunSignsAtStartAndStopAndDeletedCheckpointsAreNoticed) {
  SluiceServer s(20, 100);
  std::string token = s.CreateApp("reader");
  s.Start();
  ASSERT_EQ(s.Get("/2/tweets/search/recent?query=the%20OR%20le", token).status, 200);
  ASSERT_EQ(s.Stop(), 0);
  std::set<std::string> notes;
  for (const auto& e : fs::directory_iterator(s.data_dir() + "/ledger/checkpoints")) notes.insert(e.path().filename());
  EXPECT_EQ(notes, (std::set<std::string>{"00000000000000000000.note", "00000000000000000001.note"}));
  auto verify = RunSluice({"ledger", "verify", "--data", s.data_dir()});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_NE(verify.out.find("2 signed checkpoints verified; closed cleanly"), std::string::npos) << verify.out;

  fs::remove(s.data_dir() + "/ledger/checkpoints/00000000000000000001.note");
  auto last_gone = RunSluice({"ledger", "verify", "--data", s.data_dir()});
  EXPECT_NE(last_gone.exit_code, 0);
  EXPECT_NE(last_gone.err.find("the newest checkpoint is of 0"), std::string::npos) << last_gone.err;
  fs::remove(s.data_dir() + "/ledger/checkpoints/00000000000000000000.note");
  fs::remove(s.data_dir() + "/ledger/CLOSED");  // as if it had crashed, too
  auto all_gone = RunSluice({"ledger", "verify", "--data", s.data_dir()});
  EXPECT_NE(all_gone.exit_code, 0);
  EXPECT_NE(all_gone.err.find("no signed checkpoint, but 1 records"), std::string::npos) << all_gone.err;
}

// Made-up tokens cannot grow the ledger: 2,000 refusals are a few counted records.
TEST(Ledger, UnauthenticatedRefusalsAreCountedNotRecordedOneByOne) {
  SluiceServer s(20, 100);
  s.Start();
  uint64_t before = LedgerBytes(s);
  {
    KeepAliveClient client(s.port());
    for (int i = 0; i < 2000; ++i)
      ASSERT_EQ(client.Get("/2/tweets/search/recent?query=the", "made-up-" + std::to_string(i)).status, 401);
  }
  ASSERT_EQ(s.Stop(), 0);  // appends the counts of the last second
  uint64_t after = LedgerBytes(s);
  EXPECT_LE(after - before, 16u << 10) << before << " -> " << after;
  int64_t counted = 0;
  for (const auto& r : Export(s)) {
    EXPECT_EQ(r.at("status").as_int64(), 401);
    EXPECT_EQ(Str(r, "app_id"), "0");
    counted += r.at("count").as_int64();
  }
  EXPECT_EQ(counted, 2000);
  auto verify = RunSluice({"ledger", "verify", "--data", s.data_dir()});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_NE(verify.out.find("2000 refusals without a known app"), std::string::npos) << verify.out;
}

}  // namespace
}  // namespace sluice::testing
