// Several nodes, each with its own ledger (its origin names the node): the evidence commands
// take all their ledgers as one body of evidence. Two server processes with separate data
// directories share one store file here; PostgreSQL and Redis nodes are tested elsewhere.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "harness.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;

std::string JsonString(const std::string& s) { return json::serialize(json::value(s)); }

std::string FirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// The newest checkpoint note of a data directory's ledger.
std::string NewestCheckpoint(const std::string& data) {
  std::string newest;
  for (const auto& e : std::filesystem::directory_iterator(data + "/ledger/checkpoints"))
    newest = std::max(newest, e.path().string());
  return newest;
}

class NodesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = std::make_unique<SluiceServer>(20, 400);  // its data dir holds the shared store
    b_ = std::make_unique<SluiceServer>();
    store_ = "sqlite://" + a_->data_dir() + "/sluice.db";
    auto created = RunSluice({"apps", "create", "--data", a_->data_dir(), "--name", "leaker", "--plan", "pro"});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    app_ = json::parse(created.out).as_object();
    token_ = Str(app_, "bearer_token");
  }

  // Search pages delivered by `node`: their post ids and texts into ids_ / texts_.
  void Deliver(SluiceServer& node, const std::string& query, int pages, std::set<std::string>* ids) {
    std::string next;
    for (int i = 0; i < pages; ++i) {
      auto r = node.Get("/2/tweets/search/recent?max_results=10&query=" + query + next, token_);
      ASSERT_EQ(r.status, 200) << r.body;
      auto body = r.Json().as_object();
      for (const auto& p : body.at("data").as_array()) {
        ids->insert(Str(p, "id"));
        texts_[Str(p, "id")] = Str(p, "text");
      }
      if (!body.at("meta").as_object().contains("next_token")) break;
      next = "&next_token=" + Str(body.at("meta"), "next_token");
    }
  }

  int64_t PostsRead(const std::vector<std::string>& ledgers) {
    std::vector<std::string> args{"usage", "--data", a_->data_dir(), "--project", Str(app_, "project_id")};
    for (const auto& l : ledgers) args.insert(args.end(), {"--ledger", l});
    auto r = RunSluice(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json::parse(r.out).at("posts_read").as_int64() : -1;
  }

  std::unique_ptr<SluiceServer> a_, b_;
  std::string store_;
  json::object app_;
  std::string token_;
  std::map<std::string, std::string> texts_;
};

TEST_F(NodesTest, TwoNodesLedgersAreOneBodyOfEvidence) {
  a_->Start({"--node-id", "1"});
  b_->Start({"--node-id", "2", "--store", store_});
  std::set<std::string> via_a, via_b;
  Deliver(*a_, "the%20OR%20le", 3, &via_a);
  Deliver(*b_, "the%20OR%20le", 1, &via_b);  // the same first page again, on the other node, the same day
  Deliver(*b_, "la%20OR%20de", 3, &via_b);
  ASSERT_EQ(a_->Stop(), 0);
  ASSERT_EQ(b_->Stop(), 0);
  std::set<std::string> all = via_a;
  all.insert(via_b.begin(), via_b.end());
  ASSERT_LT(all.size(), via_a.size() + via_b.size());  // some posts went out through both nodes

  // Each ledger's origin names its node.
  EXPECT_EQ(FirstLine(NewestCheckpoint(a_->data_dir())), "sluice.local/ledger/node-1");
  EXPECT_EQ(FirstLine(NewestCheckpoint(b_->data_dir())), "sluice.local/ledger/node-2");

  // Usage: X's rule across nodes, a post delivered to the project on one UTC day counts once.
  const std::string la = a_->data_dir() + "/ledger", lb = b_->data_dir() + "/ledger";
  EXPECT_EQ(PostsRead({la}), int64_t(via_a.size()));
  EXPECT_EQ(PostsRead({lb}), int64_t(via_b.size()));
  EXPECT_EQ(PostsRead({la, lb}), int64_t(all.size()));
  // A directory of data directories is the same evidence; one ledger twice is refused.
  const std::string cluster = a_->data_dir() + "/cluster";
  std::filesystem::create_directory(cluster);
  std::filesystem::create_directory_symlink(a_->data_dir(), cluster + "/node-1");
  std::filesystem::create_directory_symlink(b_->data_dir(), cluster + "/node-2");
  EXPECT_EQ(PostsRead({cluster}), int64_t(all.size()));
  auto twice = RunSluice({"usage", "--data", a_->data_dir(), "--project", Str(app_, "project_id"), "--ledger", la,
                          "--ledger", a_->data_dir()});
  EXPECT_NE(twice.exit_code, 0);
  EXPECT_NE(twice.err.find("is named twice"), std::string::npos) << twice.err;
  auto nothing = RunSluice({"usage", "--data", a_->data_dir(), "--project", Str(app_, "project_id"), "--ledger", b_->data_dir() + "/nowhere"});
  EXPECT_NE(nothing.exit_code, 0);
  EXPECT_NE(nothing.err.find("no ledger there"), std::string::npos) << nothing.err;

  auto invoice = RunSluice({"invoice", "--data", a_->data_dir(), "--project", Str(app_, "project_id"), "--month",
                            Str(json::parse(RunSluice({"usage", "--data", a_->data_dir(), "--project",
                                                       Str(app_, "project_id")}).out), "month"),
                            "--ledger", cluster});
  EXPECT_EQ(invoice.exit_code, 0) << invoice.err;

  // Verify proves each ledger on its own, and fails the whole when one fails.
  auto verified = RunSluice({"ledger", "verify", "--ledger", cluster});
  ASSERT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_NE(verified.out.find(cluster + "/node-1/ledger: ledger OK"), std::string::npos) << verified.out;
  EXPECT_NE(verified.out.find(cluster + "/node-2/ledger: ledger OK"), std::string::npos) << verified.out;
  EXPECT_NE(verified.out.find("2 ledgers OK: "), std::string::npos) << verified.out;

  // Export gives each ledger's records in turn; prove finds a delivery in the ledger that holds
  // it (its checkpoint names that node), and check-proof takes it with that node's key.
  auto exported = RunSluice({"ledger", "export", "--app", Str(app_, "app_id"), "--ledger", la, "--ledger", lb});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  std::set<std::string> exported_posts;
  std::istringstream lines(exported.out);
  for (std::string line; std::getline(lines, line);) {
    const json::value record = json::parse(line);
    for (const auto& id : record.at("post_ids").as_array()) exported_posts.emplace(id.as_string());
  }
  EXPECT_EQ(exported_posts, all);
  std::string only_b;
  for (const auto& id : via_b)
    if (!via_a.count(id)) only_b = id;
  ASSERT_FALSE(only_b.empty());
  auto alone = RunSluice({"ledger", "prove", "--app", Str(app_, "app_id"), "--post", only_b, "--ledger", la});
  EXPECT_NE(alone.exit_code, 0);
  EXPECT_NE(alone.err.find("never received post " + only_b), std::string::npos) << alone.err;
  auto proved = RunSluice({"ledger", "prove", "--app", Str(app_, "app_id"), "--post", only_b, "--ledger", la, "--ledger", lb});
  ASSERT_EQ(proved.exit_code, 0) << proved.err;
  EXPECT_NE(proved.out.find("node-2"), std::string::npos);
  const std::string proof = a_->data_dir() + "/proof.json";
  std::ofstream(proof) << proved.out;
  auto pubkey = RunSluice({"ledger", "pubkey", "--data", b_->data_dir()});
  ASSERT_EQ(pubkey.exit_code, 0) << pubkey.err;
  std::string key = pubkey.out.substr(0, pubkey.out.find('\n'));
  auto checked = RunSluice({"ledger", "check-proof", proof, "--pubkey", key});
  EXPECT_EQ(checked.exit_code, 0) << checked.err << checked.out;

  // A forged copy: node 1's ledger under node 2's key.
  std::filesystem::copy_file(b_->data_dir() + "/ledger/checkpoint.vkey", a_->data_dir() + "/ledger/checkpoint.vkey",
                             std::filesystem::copy_options::overwrite_existing);
  auto forged = RunSluice({"ledger", "verify", "--ledger", la, "--ledger", lb});
  EXPECT_NE(forged.exit_code, 0);
  EXPECT_NE(forged.err.find("are the same ledger"), std::string::npos) << forged.err;
}

TEST_F(NodesTest, TraceAttributesAcrossTheLedgersOfAllNodes) {
  a_->Start({"--node-id", "1"});
  b_->Start({"--node-id", "2", "--store", store_});
  std::set<std::string> via_a, via_b;
  Deliver(*a_, "the%20OR%20le", 2, &via_a);
  Deliver(*b_, "la%20OR%20de", 2, &via_b);
  ASSERT_EQ(a_->Stop(), 0);
  ASSERT_EQ(b_->Stop(), 0);
  std::set<std::string> all = via_a;
  all.insert(via_b.begin(), via_b.end());
  const std::string corpus = a_->data_dir() + "/leak.jsonl";
  {
    std::ofstream out(corpus);
    for (const auto& [id, text] : texts_) out << "{\"text\":" << JsonString(text) << "}\n";
  }
  auto received = [&](const std::vector<std::string>& ledgers) -> int64_t {
    std::vector<std::string> args{"trace", "--data", a_->data_dir(), "--json", "--quiet", corpus};
    for (const auto& l : ledgers) args.insert(args.end(), {"--ledger", l});
    auto r = RunSluice(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const json::value report = json::parse(r.out);
    for (const auto& f : report.at("apps").as_array())
      if (Str(f, "app_name") == "leaker") return f.at("posts_received").as_int64();
    return 0;
  };
  EXPECT_EQ(received({a_->data_dir()}), int64_t(via_a.size()));
  EXPECT_EQ(received({a_->data_dir(), b_->data_dir()}), int64_t(all.size()));
}

TEST_F(NodesTest, ANodeRefusesTheLedgerOfAnother) {
  a_->Start({"--node-id", "1"});
  ASSERT_EQ(a_->Stop(), 0);
  auto r = RunSluice({"serve", "--data", a_->data_dir(), "--node-id", "2", "--listen", "127.0.0.1:0"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("is the ledger of 'sluice.local/ledger/node-1', not of node 2"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace sluice::testing
