#pragma once
//! StreamHub: the streams open on this node (filtered, sample, compliance) and the fan-out of
//! each post published or deleted to the streams that take it. Shared by the workers and
//! thread-safe.
//!
//! Where posts come from: on SQLite (one node) the apply-write stage tells the hub of each post
//! it publishes or deletes; on PostgreSQL every node, the writer's included, learns of them
//! from the store's change feed (Store::ListenForPostChanges: LISTEN/NOTIFY, sent in the
//! transaction that applies the write), so a post written on one node reaches the streams of
//! every node, each exactly once.
//!
//! Fan-out: Publish matches a post once, against every app's rules (a filtered stream's app),
//! then posts one event to the worker of each stream that takes it; the stream renders,
//! meters, records and sends it there (api/stream_connection.h). The hub never waits on a
//! stream: a slow one falls behind on its own worker and is disconnected there.

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/exchange.h"
#include "store/search/query.h"
#include "store/search/rule_index.h"

namespace sluice {

class StreamSlots;

//! A post's response as rendered for each field selection (api/fields.h FieldSelection, as its
//! four words), shared by every stream the post goes to, on any worker: a selection is
//! rendered once a post, not once a stream. Thread-safe.
class SharedRenders {
 public:
  using Key = std::array<uint32_t, 4>;
  std::optional<ApiResponse> Find(const Key& key) const;
  void Keep(const Key& key, const ApiResponse& response);

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<Key, ApiResponse>> responses_;  // guarded by mu_; a few selections at most
};

//! What a stream delivers.
enum class StreamFeed : uint8_t {
  kFiltered,        // GET /2/tweets/search/stream: posts matching the app's rules
  kSample,          // GET /2/tweets/sample/stream: 1 % of posts, chosen by id
  kPostCompliance,  // GET /2/tweets/compliance/stream: post deletions and withholdings
  kUserCompliance,  // GET /2/users/compliance/stream: account events (scrub_geo among them)
};

//! A post a stream is to deliver, with the rules of its app it matched (filtered streams).
struct StreamEvent {
  std::shared_ptr<const StoredPost> post;
  bool deleted = false;  // a deletion (compliance streams): post holds its id, author and time
  TimeMs at = 0;         // when it was published or deleted
  std::vector<const IndexedRule*> rules;  // its app's rules it matched, kept alive by `rules_held`
  bool trap = false;     // post is a trap record (TrapInjector) for this stream's app
  std::shared_ptr<const RuleIndex> rules_held;
  std::shared_ptr<SharedRenders> renders;  // the post's renders, shared by its streams (null: none)
  //! An operator's compliance event (AnnounceCompliance); `post` is then unused.
  std::shared_ptr<const ComplianceEvent> notice;
};

//! The sample stream's share: a post is in it when this holds (1 %, the same on every node
//! and every connection, as X's sample is the same for everyone).
bool InSample(Id post_id);

//! The compliance streams' partition (1 to kCompliancePartitions) of a post, by id: X splits
//! its compliance streams in four, each event in exactly one.
inline constexpr int kCompliancePartitions = 4;
int CompliancePartition(Id post_id);
//! What a compliance stream's event is partitioned by: a user event's user id (X sends those,
//! scrub_geo among them, on its users compliance stream), else its post's id.
Id CompliancePartitionKey(const StreamEvent& event);

class StreamHub {
 public:
  //! Receives events on its worker (the executor it subscribed with).
  class Subscriber {
   public:
    virtual ~Subscriber() = default;
    virtual void OnEvent(StreamEvent event) = 0;
  };

  struct Subscription {
    StreamFeed feed = StreamFeed::kFiltered;
    Id app = 0;
    Executor* executor = nullptr;  // the stream's worker
    std::weak_ptr<Subscriber> subscriber;
  };

  StreamHub() = default;
  ~StreamHub();
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  //! Adds a stream, unless `max_per_app` streams of its app and feed are open on this node
  //! already (0: no limit): then returns 0. Else its handle, for Unsubscribe.
  uint64_t Subscribe(Subscription s, int max_per_app);
  void Unsubscribe(uint64_t handle);
  int OpenStreams(Id app, StreamFeed feed) const;
  int OpenStreams() const;

  //! Replaces every app's rules.
  void SetRules(std::shared_ptr<const RuleIndex> rules);
  //! Rebuilds the rule index from `store` when the rules changed since it was built
  //! (Store::StreamRulesVersion): at start, after this node's rules endpoint wrote, and at most
  //! every kRulesPollMs when a post is announced (rules changed on another node). Thread-safe;
  //! one rebuild at a time. A rule the parser refuses now (it was valid when added) is left out
  //! and logged.
  static constexpr TimeMs kRulesPollMs = 250;
  Status RefreshRules(Store& store);
  std::shared_ptr<const RuleIndex> rules() const;

  //! How often recent posts held each key (KeyFrequencies), what RefreshRules builds the index
  //! with, so that an AND is indexed under its rarest keys: one post in kKeySampleEvery of those
  //! matched against the rules is counted, in windows of kKeySamplePosts; the last complete
  //! window is kept (null before the first completes). Memory: two windows at most.
  static constexpr uint64_t kKeySampleEvery = 4;
  static constexpr int64_t kKeySamplePosts = 2000;
  std::shared_ptr<const KeyFrequencies> key_frequencies() const;

  //! A post was published or deleted (`change`): reads it, and its author, from `store` (the
  //! caller's: a worker's, or the change feed's) and hands it on, unless no stream is open.
  //! Store errors are logged: a stream misses the post, no writer fails for a stream.
  void Announce(Store& store, const PostChange& change);
  //! A post was published (`author`: its author, for from: and protected accounts) or deleted.
  //! Any thread; never blocks on a stream.
  void Published(std::shared_ptr<const StoredPost> post, const User& author, TimeMs at,
                 const SearchFacts* facts = nullptr);
  void Deleted(std::shared_ptr<const StoredPost> post, TimeMs at);
  //! An operator's compliance event (from the store's outbox, ComplianceFeed): to every open
  //! users compliance stream (IsUserComplianceEvent) or tweets compliance stream (withheld).
  //! Any thread; never blocks on a stream.
  void AnnounceCompliance(const ComplianceEvent& event);

  //! What a post offers the rules: `users` holds its author and, when known, the account it
  //! replies to and the author of the post it reposts (to:, retweets_of:).
  static SearchFacts FactsOf(const StoredPost& post, const std::vector<User>& users, Id retweeted_author);

  //! Builds the stages streamed posts go through (StreamDeliveryStages) for `services`; the
  //! server calls it once it has them, before serving.
  void Attach(const Services& services);
  //! Null before Attach, or when there is no stage to run.
  const Chain* delivery() const { return delivery_.get(); }

  //! Streams also hold a slot in the store shared by the nodes (StreamSlots), so that the
  //! connection limit holds across nodes. Set before serving; null (one node): the count of
  //! this node's streams is the limit.
  void UseSlots(StreamSlots* slots) { slots_ = slots; }
  StreamSlots* slots() const { return slots_; }

  //! Events handed to streams since start (all feeds), for metrics and tests.
  uint64_t events() const { return events_.load(std::memory_order_relaxed); }

 private:
  void Deliver(const Subscription& s, StreamEvent event);
  void CountKeys(const SearchSubject& post);

  mutable std::mutex mu_;
  uint64_t next_handle_ = 1;                                // guarded by mu_
  std::unordered_map<uint64_t, Subscription> streams_;      // guarded by mu_
  std::shared_ptr<const RuleIndex> rules_;                  // guarded by mu_ (the pointer)
  std::mutex refresh_mu_;                                   // one rebuild at a time
  int64_t rules_version_ = -1;                              // guarded by refresh_mu_
  std::atomic<TimeMs> rules_checked_{0};                    // steady ms of the last version check
  std::atomic<uint64_t> events_{0};
  std::unique_ptr<Chain> delivery_;
  StreamSlots* slots_ = nullptr;
  std::atomic<uint64_t> keys_offered_{0};                   // posts matched, for kKeySampleEvery
  mutable std::mutex keys_mu_;
  KeyFrequencies keys_counting_;                            // guarded by keys_mu_
  std::shared_ptr<const KeyFrequencies> key_frequencies_;   // guarded by keys_mu_
};

}  // namespace sluice
