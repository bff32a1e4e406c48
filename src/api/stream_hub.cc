#include "api/stream_hub.h"

#include <spdlog/spdlog.h>

#include "api/stream_connection.h"
#include "core/mix.h"
#include "store/search/match.h"

namespace sluice {

bool InSample(Id post_id) { return Mix64(uint64_t(post_id)) % 100 == 0; }

// Every app's rules, grouped by app; replaced whole (SetRules), never changed in place, so an
// event may point at its rules for as long as it holds the snapshot.
struct StreamHub::Rules {
  std::vector<StreamRule> all;
  std::unordered_map<Id, std::vector<const StreamRule*>> by_app;
};

StreamHub::~StreamHub() = default;

void StreamHub::Attach(const Services& services) { delivery_ = StreamDeliveryStages(services); }

uint64_t StreamHub::Subscribe(Subscription s, int max_per_app) {
  std::lock_guard lock(mu_);
  if (max_per_app > 0) {
    int open = 0;
    for (const auto& [handle, other] : streams_)
      if (other.app == s.app && other.feed == s.feed) ++open;
    if (open >= max_per_app) return 0;
  }
  uint64_t handle = next_handle_++;
  streams_.emplace(handle, std::move(s));
  return handle;
}

void StreamHub::Unsubscribe(uint64_t handle) {
  std::lock_guard lock(mu_);
  streams_.erase(handle);
}

int StreamHub::OpenStreams(Id app, StreamFeed feed) const {
  std::lock_guard lock(mu_);
  int open = 0;
  for (const auto& [handle, s] : streams_)
    if (s.app == app && s.feed == feed) ++open;
  return open;
}

int StreamHub::OpenStreams() const {
  std::lock_guard lock(mu_);
  return int(streams_.size());
}

void StreamHub::SetRules(std::vector<StreamRule> rules) {
  auto next = std::make_shared<Rules>();
  next->all = std::move(rules);
  for (const StreamRule& r : next->all) next->by_app[r.app].push_back(&r);
  std::lock_guard lock(mu_);
  rules_ = std::move(next);
}

std::pair<std::vector<const StreamRule*>, std::shared_ptr<const void>> StreamHub::RulesOf(Id app) const {
  std::shared_ptr<const Rules> rules;
  {
    std::lock_guard lock(mu_);
    rules = rules_;
  }
  if (!rules) return {};
  auto it = rules->by_app.find(app);
  if (it == rules->by_app.end()) return {{}, rules};
  return {it->second, rules};
}

std::vector<const StreamRule*> StreamHub::Match(const std::vector<const StreamRule*>& rules, const StoredPost& p,
                                                const User& author) {
  std::vector<const StreamRule*> matched;
  if (rules.empty()) return matched;
  const Post& post = p.post;
  SearchFacts facts;
  facts.text = post.note_text.empty() ? std::string_view(post.text) : std::string_view(post.note_text);
  facts.lang = post.lang;
  facts.reply = post.Reference(ReferenceType::kRepliedTo).has_value();
  facts.retweet = post.Reference(ReferenceType::kRetweeted).has_value();
  facts.quote = post.Reference(ReferenceType::kQuoted).has_value();
  facts.verified = author.verified_type != VerifiedType::kNone;
  facts.nullcast = post.nullcast;
  for (const StreamRule* r : rules)
    if (MatchesSearch(r->root, facts)) matched.push_back(r);
  return matched;
}

void StreamHub::Announce(Store& store, const PostChange& change) {
  if (OpenStreams() == 0) return;
  const Id id = change.post_id;
  auto posts = store.GetPosts(std::span<const Id>(&id, 1));
  if (!posts.ok() || posts->empty()) {
    if (!posts.ok()) spdlog::warn("streams: post {} not read: {}", id, posts.status().message());
    return;
  }
  auto post = std::make_shared<const StoredPost>(std::move(posts->front()));
  if (change.deleted) return Deleted(std::move(post), change.at);
  const Id author_id = post->post.author_id;
  auto authors = store.GetUsers(std::span<const Id>(&author_id, 1));
  if (!authors.ok() || authors->empty()) {
    if (!authors.ok()) spdlog::warn("streams: author of post {} not read: {}", id, authors.status().message());
    return;
  }
  Published(std::move(post), authors->front(), change.at);
}

void StreamHub::Published(std::shared_ptr<const StoredPost> post, const User& author, TimeMs at) {
  // X streams what an app-only token may read: a protected account's posts are not in them.
  if (author.is_protected || author.synthetic || post->post.IsEarlierVersion()) return;
  std::vector<Subscription> streams;
  std::shared_ptr<const Rules> rules;
  {
    std::lock_guard lock(mu_);
    for (const auto& [handle, s] : streams_)
      if (s.feed == StreamFeed::kFiltered || s.feed == StreamFeed::kSample) streams.push_back(s);
    rules = rules_;
  }
  const bool sampled = InSample(post->post.id);
  std::unordered_map<Id, std::vector<const StreamRule*>> matched;  // by app: each app's rules matched once
  for (const Subscription& s : streams) {
    StreamEvent e;
    e.post = post;
    e.at = at;
    if (s.feed == StreamFeed::kSample) {
      if (!sampled) continue;
    } else {
      if (!rules) continue;
      auto it = matched.find(s.app);
      if (it == matched.end()) {
        auto app_rules = rules->by_app.find(s.app);
        it = matched.emplace(s.app, app_rules == rules->by_app.end() ? std::vector<const StreamRule*>{}
                                                                     : Match(app_rules->second, *post, author)).first;
      }
      if (it->second.empty()) continue;
      e.rules = it->second;
      e.rules_held = rules;
    }
    Deliver(s, std::move(e));
  }
}

void StreamHub::Deleted(std::shared_ptr<const StoredPost> post, TimeMs at) {
  std::vector<Subscription> out;
  {
    std::lock_guard lock(mu_);
    for (const auto& [handle, s] : streams_)
      if (s.feed == StreamFeed::kPostCompliance) out.push_back(s);
  }
  for (const Subscription& s : out) {
    StreamEvent e;
    e.post = post;
    e.deleted = true;
    e.at = at;
    Deliver(s, std::move(e));
  }
}

void StreamHub::Deliver(const Subscription& s, StreamEvent event) {
  events_.fetch_add(1, std::memory_order_relaxed);
  s.executor->Post([weak = s.subscriber, event = std::move(event)]() mutable {
    if (auto target = weak.lock()) target->OnEvent(std::move(event));
  });
}

}  // namespace sluice
