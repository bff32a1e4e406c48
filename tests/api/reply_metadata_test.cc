// X's reply metadata over a real store: who a reply's @mentions prefix names, in which order,
// and who it leaves out (the replier, unknown and synthetic users, the excluded, those the
// text already starts with; never the replied-to author), at most 50.
#include "api/reply_metadata.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace sluice {
namespace {

class ReplyMetadataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-replymeta-XXXXXX";
    dir_ = mkdtemp(tmpl);
    store_ = std::move(*OpenStore({"sqlite", dir_, true}));
    WriteBatch batch;
    for (Id id = 1; id <= 60; ++id) batch.users.push_back(User{.id = id, .username = "u" + std::to_string(id), .name = "U"});
    batch.users.push_back(User{.id = 99, .username = "trap", .name = "T", .synthetic = true});
    ASSERT_TRUE(store_->Apply(batch).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  static Post Parent(Id author, std::string text, bool reply) {
    Post p;
    p.id = 1000;
    p.author_id = author;
    p.text = std::move(text);
    if (reply) p.referenced = {{ReferenceType::kRepliedTo, 999}};
    return p;
  }
  std::string Prefix(const Post& parent, Id replier, std::string_view text = "hi", std::vector<Id> exclude = {}) {
    auto r = ReplyMentionsPrefix(*store_, parent, replier, text, exclude);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : "?";
  }
  std::string dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(ReplyMetadataTest, TheAuthorThenTheConversation) {
  EXPECT_EQ(Prefix(Parent(1, "hello @u2", false), 5), "@u1 ");  // not a reply: only its author
  EXPECT_EQ(Prefix(Parent(1, "@U2 @u3 @nobody @trap hello @u4", true), 5), "@u1 @u2 @u3 ");
  EXPECT_EQ(Prefix(Parent(1, "@u2 @u5 yes", true), 5), "@u1 @u2 ");  // never the replier
  EXPECT_EQ(Prefix(Parent(5, "@u2 yes", true), 5), "@u2 ");           // a reply to oneself
  EXPECT_EQ(Prefix(Parent(5, "yes", false), 5), "");
}

TEST_F(ReplyMetadataTest, ExclusionsAndTypedMentions) {
  Post parent = Parent(1, "@u2 @u3 ok", true);
  EXPECT_EQ(Prefix(parent, 5, "hi", {1, 3}), "@u1 @u2 ");  // the replied-to author stays
  EXPECT_EQ(Prefix(parent, 5, "@u3 @u1 hi"), "@u2 ");
  EXPECT_EQ(Prefix(parent, 5, "hi @u2"), "@u1 @u2 @u3 ");    // only leading mentions count as typed
}

TEST_F(ReplyMetadataTest, AtMostFifty) {
  std::string text;
  for (Id id = 2; id <= 60; ++id) text += "@u" + std::to_string(id) + " ";
  std::string prefix = Prefix(Parent(1, text + "all", true), 100);
  EXPECT_EQ(std::count(prefix.begin(), prefix.end(), '@'), 50);
  EXPECT_TRUE(prefix.starts_with("@u1 @u2 "));
}

}  // namespace
}  // namespace sluice
