#include "api/render.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

StoredPost SamplePost() {
  StoredPost sp;
  sp.post.id = 1460323737035677698;
  sp.post.author_id = 2244994945;
  sp.post.text = "Hello \"world\" #x";
  sp.post.created_at = 1637003285069;
  sp.post.lang = "en";
  sp.post.conversation_id = sp.post.id;
  sp.post.edit_history = {sp.post.id};
  sp.post.referenced = {{ReferenceType::kQuoted, 42}};
  sp.entities_json = R"({"hashtags":[{"start":14,"end":16,"tag":"x"}]})";
  return sp;
}

TEST(Render, DefaultPostFieldsOnly) {
  JsonWriter w;
  RenderPost(w, SamplePost(), FieldSelection{});
  EXPECT_EQ(w.str(), R"({"id":"1460323737035677698","text":"Hello \"world\" #x","edit_history_tweet_ids":["1460323737035677698"]})");
}

TEST(Render, SelectedPostFields) {
  FieldSelection f;
  f.post = (1u << uint32_t(PostField::kCreatedAt)) | (1u << uint32_t(PostField::kReferencedTweets)) |
           (1u << uint32_t(PostField::kEntities)) | (1u << uint32_t(PostField::kAuthorId));
  JsonWriter w;
  RenderPost(w, SamplePost(), f);
  EXPECT_EQ(w.str(),
            R"({"id":"1460323737035677698","text":"Hello \"world\" #x","edit_history_tweet_ids":["1460323737035677698"],)"
            R"("author_id":"2244994945","created_at":"2021-11-15T19:08:05.069Z",)"
            R"("referenced_tweets":[{"type":"quoted","id":"42"}],"entities":{"hashtags":[{"start":14,"end":16,"tag":"x"}]}})");
}

TEST(Render, UserDefaultsAndVerified) {
  User u;
  u.id = 7;
  u.name = "N";
  u.username = "n";
  u.verified_type = VerifiedType::kGovernment;
  u.labels = {"government-funded"};
  JsonWriter w;
  RenderUser(w, u, FieldSelection{});
  EXPECT_EQ(w.str(), R"({"id":"7","name":"N","username":"n"})");
  FieldSelection f;
  f.user = (1u << uint32_t(UserField::kVerified)) | (1u << uint32_t(UserField::kVerifiedType)) |
           (1u << uint32_t(UserField::kLabels));
  JsonWriter w2;
  RenderUser(w2, u, f);
  EXPECT_EQ(w2.str(), R"({"id":"7","name":"N","username":"n","verified":true,"verified_type":"government","labels":["government-funded"]})");
}

TEST(Render, ResourceErrorDetailInXWording) {
  EXPECT_EQ(ResourceErrorDetail({"tweet", "ids", "1"}), "Could not find tweet with ids: [1].");
}

}  // namespace
}  // namespace sluice
