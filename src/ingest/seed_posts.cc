// Synthetic posts over the last 30 days: authors drawn by popularity, a daily rhythm,
// replies/quotes/retweets of recent posts, entities computed from the text.

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

#include "core/text.h"
#include "ingest/seed_internal.h"
#include "ingest/seed_text.h"

namespace sluice::seed_internal {

namespace {

// Relative activity per UTC hour: quiet at night, peaks at lunch and in the evening (Europe).
constexpr std::array<int64_t, 24> kHourWeights = {3, 2, 1, 1, 1, 2, 4, 7, 9, 9, 9, 10,
                                                  11, 10, 9, 9, 9, 10, 11, 12, 12, 10, 7, 5};

//! Post times in generation order: the n times are n independent draws from the window's
//! activity (weighted by hour), sorted, as a Poisson process's arrivals are; generated in
//! ascending order one at a time (each the smallest of the draws left above the last), so
//! nothing is held in memory. Evenly spread times (one per slice) would put every post near
//! the middle between its neighbours, where a trap's time, drawn uniformly in its gap, stands
//! out (docs/trace.md). At() must be called with i = 0, 1, 2, ...
class PostTimes {
 public:
  PostTimes(TimeMs now, int64_t count) : count_(std::max<int64_t>(count, 1)) {
    TimeMs start = now - 30 * kDayMs;
    first_hour_ = (start + kHourMs - 1) / kHourMs * kHourMs;
    int64_t hours = (now / kHourMs * kHourMs - first_hour_) / kHourMs;
    prefix_.push_back(0);
    for (int64_t k = 0; k < hours; ++k) {
      int64_t w = kHourWeights[size_t((first_hour_ / kHourMs + k) % 24)];
      weights_.push_back(w);
      prefix_.push_back(prefix_.back() + w);
    }
    total_ = prefix_.back() * kHourMs;
  }

  TimeMs At(int64_t i, Rng& rng) {
    // The least of the count_ - i uniform draws left in (last_, 1): 1 - U^(1 / left) of the
    // way up (expm1 keeps its precision when left is large).
    const double left = double(std::max<int64_t>(count_ - i, 1));
    last_ += (1 - last_) * -std::expm1(std::log(rng.UnitNonZero()) / left);
    const auto target = std::min(total_ - 1, int64_t(last_ * double(total_)));
    while (hour_ + 1 < weights_.size() && prefix_[hour_ + 1] * kHourMs <= target) ++hour_;
    return first_hour_ + TimeMs(hour_) * kHourMs + (target - prefix_[hour_] * kHourMs) / weights_[hour_];
  }

 private:
  int64_t count_;
  TimeMs first_hour_ = 0;
  std::vector<int64_t> weights_;
  std::vector<int64_t> prefix_;  // activity before each hour
  int64_t total_ = 0;            // activity x ms
  double last_ = 0;              // the previous time's share of the activity
  size_t hour_ = 0;
};

struct RecentPost {
  Id id = 0;
  int64_t author = 0;  // index in SeedUsers::users
  Id conversation = 0;
  bool retweet = false;
  int64_t retweets_left = 0;  // its retweet_count less the reposts generated so far
  const vocab::Language* lang = nullptr;
  std::string text;
};

//! The last kCapacity posts: all that replies, quotes and retweets may point at.
class RecentPosts {
 public:
  static constexpr size_t kCapacity = 4096;
  size_t size() const { return items_.size(); }
  RecentPost& FromNewest(size_t back) { return items_[(next_ + items_.size() - 1 - back) % items_.size()]; }
  void Push(RecentPost p) {
    if (items_.size() < kCapacity) {
      items_.push_back(std::move(p));
      next_ = items_.size() % kCapacity;
    } else {
      items_[next_] = std::move(p);
      next_ = (next_ + 1) % kCapacity;
    }
  }

 private:
  std::vector<RecentPost> items_;
  size_t next_ = 0;
};

enum class Kind { kOriginal, kReply, kQuote, kRetweet };

class PostMaker {
 public:
  PostMaker(const SeedOptions& o, Rng& rng, const SeedUsers& users)
      : rng_(rng),
        like_rng_(o.seed ^ 0x2545F4914F6CDD1DULL),
        users_(users),
        times_(o.now, o.posts),
        ids_(o.node_id),
        likes_left_(users.users.size()) {
    for (size_t k = 0; k < likes_left_.size(); ++k) likes_left_[k] = users.users[k].likes;
  }

  //! Post i of `count`, and its likes appended to `likes`. An edited post takes two calls:
  //! its earlier version (i), then its latest version (i + 1), which was made with it.
  Post Make(int64_t i, int64_t count, std::vector<Like>& likes) {
    if (edited_) {
      Post latest = std::move(*edited_);
      edited_.reset();
      return latest;
    }
    Post p;
    p.created_at = times_.At(i, rng_);
    // About 1 post in 100 is edited once (always an original post), within X's 30 minutes: the latest version
    // is the post, listed and searched; the earlier one is served when asked for by id.
    std::optional<TimeMs> edited_at;
    if (i + 1 < count && rng_.Chance(0.01)) edited_at = std::min(times_.At(i + 1, rng_), p.created_at + 20 * 60'000);
    p.id = ids_.Make(p.created_at);
    p.conversation_id = p.id;
    p.edit_history = {p.id};
    int64_t author = users_.Popular(rng_);
    const SeedUser& au = users_.users[size_t(author)];
    p.author_id = au.id;

    double r = rng_.Unit();
    Kind kind = r < 0.05 ? Kind::kRetweet : r < 0.13 ? Kind::kQuote : r < 0.38 ? Kind::kReply : Kind::kOriginal;
    if (edited_at) kind = Kind::kOriginal;
    RecentPost* parent = kind == Kind::kOriginal ? nullptr : PickParent(kind, author);
    if (!parent) kind = Kind::kOriginal;
    if (kind == Kind::kRetweet) --parent->retweets_left;

    const vocab::Language* lang = au.lang;
    if (kind == Kind::kRetweet) lang = parent->lang;
    else if (kind == Kind::kReply && rng_.Chance(0.9)) lang = parent->lang;
    else if (rng_.Chance(0.12)) lang = lang == &vocab::French() ? &vocab::English() : &vocab::French();

    TextBuilder b;
    switch (kind) {
      case Kind::kRetweet: {
        const SeedUser& pu = users_.users[size_t(parent->author)];
        b.Append(TruncateWords("RT @" + pu.username + ": " + parent->text, kMaxPostWeight));
        p.referenced.push_back({ReferenceType::kRetweeted, parent->id});
        break;
      }
      case Kind::kReply: {
        const SeedUser& pu = users_.users[size_t(parent->author)];
        if (rng_.Chance(0.75)) b.Append("@" + pu.username);
        if (rng_.Chance(0.5)) b.Append(rng_.Pick(lang->reply_openers));
        AppendBody(rng_, *lang, 5, 20, b);
        AppendExtras(kind, author, *lang, b);
        p.referenced.push_back({ReferenceType::kRepliedTo, parent->id});
        p.in_reply_to_user_id = pu.id;
        p.conversation_id = parent->conversation;
        break;
      }
      case Kind::kQuote:
        if (rng_.Chance(0.7)) b.Append(rng_.Pick(lang->quote_comments));
        AppendBody(rng_, *lang, 5, 20, b);
        AppendExtras(kind, author, *lang, b);
        p.referenced.push_back({ReferenceType::kQuoted, parent->id});
        break;
      case Kind::kOriginal:
        AppendBody(rng_, *lang, 5, 30, b);
        AppendExtras(kind, author, *lang, b);
        break;
    }
    p.text = b.Take();
    p.lang = std::string(lang->code);
    p.entities = ExtractEntities(p.text);
    for (auto& m : p.entities.mentions) m.id = Resolve(m.username);
    if (kind != Kind::kRetweet) Metrics(p.metrics, au);
    if (edited_at) {
      Post first = Edit(std::move(p), *edited_at, author, lang);
      Likes(*edited_, author, likes);  // the latest version holds the metrics, and so the likes
      return first;
    }
    if (kind != Kind::kRetweet) Likes(p, author, likes);
    recent_.Push({p.id, author, p.conversation_id, kind == Kind::kRetweet, p.metrics.retweet_count, lang, p.text});
    return p;
  }

 private:
  // Up to kLikesHeld of the post's like_count as stored likes, by distinct users with likes
  // left (so neither a post's nor a user's stored likes exceed its like_count). Drawn from
  // their own stream: the posts are those the seed made before likes existed.
  static constexpr int64_t kLikesHeld = 2;
  void Likes(const Post& p, int64_t author, std::vector<Like>& out) {
    const int64_t want = std::min(p.metrics.like_count, kLikesHeld);
    const size_t first = out.size();
    for (int64_t attempt = 0; int64_t(out.size() - first) < want && attempt < want * 2; ++attempt) {
      const auto u = int64_t(like_rng_.Below(users_.users.size()));
      if (u == author || likes_left_[size_t(u)] <= 0) continue;
      const Id id = users_.users[size_t(u)].id;
      if (std::any_of(out.begin() + std::ptrdiff_t(first), out.end(), [id](const Like& l) { return l.user_id == id; }))
        continue;
      --likes_left_[size_t(u)];
      out.push_back({id, p.id});
    }
  }

  // A recent post, more likely the newer it is; never a retweet (X points at the original),
  // nor for quotes/retweets a protected account's post, nor one's own post to retweet, nor
  // for a retweet one whose retweet_count its reposts already reached.
  RecentPost* PickParent(Kind kind, int64_t author) {
    if (recent_.size() == 0) return nullptr;
    for (int attempt = 0; attempt < 4; ++attempt) {
      double u = rng_.Unit();
      auto back = std::min(recent_.size() - 1, size_t(double(recent_.size()) * u * u));
      RecentPost& c = recent_.FromNewest(back);
      if (c.retweet) continue;
      if (kind == Kind::kRetweet && c.retweets_left <= 0) continue;
      if (kind != Kind::kReply && users_.users[size_t(c.author)].is_protected) continue;
      if (kind == Kind::kRetweet && c.author == author) continue;
      return &c;
    }
    return nullptr;
  }

  void AppendExtras(Kind kind, int64_t author, const vocab::Language& lang, TextBuilder& b) {
    if (rng_.Chance(kind == Kind::kOriginal ? 0.12 : 0.05)) {
      std::string piece(rng_.Pick(lang.mention_intros));
      int64_t first = -1;
      int count = rng_.Chance(0.3) ? 2 : 1;
      bool any = false;
      for (int k = 0; k < count; ++k) {
        int64_t m = users_.Popular(rng_);
        if (m == author || m == first) continue;
        piece += " @" + users_.users[size_t(m)].username;
        first = m;
        any = true;
      }
      if (any) b.Append(piece);
    }
    if (rng_.Chance(0.2)) b.Append(rng_.Pick(vocab::Emojis()));
    double link = rng_.Unit();
    if (link < 0.14) b.Append(NewsUrl(rng_));
    else if (link < 0.16) b.Append(BareUrl(rng_));
    if (rng_.Chance(0.3)) {
      double n = rng_.Unit();
      int tags = n < 0.7 ? 1 : n < 0.92 ? 2 : 3;
      std::string_view used[3];
      for (int k = 0; k < tags; ++k) {
        std::string_view tag = rng_.Pick(lang.hashtags);
        if (std::find(used, used + k, tag) != used + k) continue;
        used[k] = tag;
        b.Append(std::string("#").append(tag));
      }
    }
    if (rng_.Chance(0.03)) b.Append(std::string("$").append(rng_.Pick(vocab::Cashtags())));
  }

  // Reach grows with followers; a Pareto "virality" factor gives the heavy tail.
  void Metrics(PostMetrics& m, const SeedUser& author) {
    double reach = double(author.followers) * 0.08 + 20.0;
    double viral = std::min(1.0 / rng_.UnitNonZero(), 2000.0);
    m.impression_count = int64_t(reach * viral * (0.5 + rng_.Unit()));
    m.like_count = int64_t(double(m.impression_count) * 0.015 * rng_.Unit());
    m.retweet_count = int64_t(double(m.like_count) * 0.2 * rng_.Unit());
    m.reply_count = int64_t(double(m.like_count) * 0.1 * rng_.Unit());
    m.quote_count = int64_t(double(m.retweet_count) * 0.15 * rng_.Unit());
    m.bookmark_count = int64_t(double(m.like_count) * 0.08 * rng_.Unit());
  }

  // Splits `first` into its earlier version (returned; it lacks the last word, which the edit
  // added) and its latest version at `at` (kept for the next call, holding the metrics).
  Post Edit(Post first, TimeMs at, int64_t author, const vocab::Language* lang) {
    Post latest = first;
    latest.created_at = at;
    latest.id = ids_.Make(latest.created_at);
    latest.conversation_id = latest.id;
    first.edit_history = latest.edit_history = {first.id, latest.id};
    size_t space = first.text.rfind(' ');
    if (space != std::string::npos && space > 0) first.text.resize(space);
    first.entities = ExtractEntities(first.text);
    for (auto& m : first.entities.mentions) m.id = Resolve(m.username);
    first.metrics = {};
    recent_.Push({latest.id, author, latest.conversation_id, false, latest.metrics.retweet_count, lang, latest.text});
    edited_ = std::move(latest);
    return first;
  }

  std::optional<Id> Resolve(const std::string& username) const {
    auto it = users_.by_username.find(Lowercase(username));
    if (it == users_.by_username.end()) return std::nullopt;
    return users_.users[size_t(it->second)].id;
  }

  Rng& rng_;
  Rng like_rng_;
  const SeedUsers& users_;
  PostTimes times_;
  IdMaker ids_;
  RecentPosts recent_;
  std::vector<int64_t> likes_left_;  // per user: its like_count less the likes generated
  std::optional<Post> edited_;  // the latest version of the post Make just returned
};

}  // namespace

Status GeneratePosts(const SeedOptions& o, Rng& rng, const SeedUsers& users, const Emit& emit) {
  PostMaker maker(o, rng, users);
  WriteBatch batch;
  for (int64_t i = 0; i < o.posts; ++i) {
    batch.posts.push_back(maker.Make(i, o.posts, batch.likes));
    if (int64_t(batch.posts.size()) == o.batch_size || i + 1 == o.posts) {
      int64_t count = int64_t(batch.posts.size());
      if (Status s = emit(std::move(batch), count); !s.ok()) return s;
      batch = WriteBatch();
    }
  }
  return Status::Ok();
}

}  // namespace sluice::seed_internal
