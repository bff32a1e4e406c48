#include "api/trap_injector.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "api/trap_profile.h"
#include "core/mix.h"
#include "core/snowflake.h"

namespace sluice {

namespace {
// The secret's first 8 bytes (it holds at least 32), as the key of the page draws.
uint64_t DrawKey(std::string_view secret) {
  uint64_t k = 0;
  for (size_t i = 0; i < 8 && i < secret.size(); ++i) k = (k << 8) | uint8_t(secret[i]);
  return Mix64(k);
}
}  // namespace

TrapInjector::TrapInjector(std::string secret, int64_t every_posts, TrapVocabulary vocabulary)
    : secret_(std::move(secret)),
      key_(DrawKey(secret_)),
      every_posts_(std::max<int64_t>(every_posts, 1)),
      vocabulary_(std::move(vocabulary)) {}

StoredPost TrapInjector::AsPost(const StoredTrap& trap) {
  StoredPost sp;
  sp.post.id = trap.id;
  sp.post.author_id = trap.author_id;
  sp.post.text = trap.text;
  sp.post.created_at = trap.created_at;
  sp.post.lang = trap.lang;
  sp.post.conversation_id = trap.id;
  sp.post.edit_history = {trap.id};
  sp.post.metrics = trap.metrics;
  sp.entities_json = trap.entities_json;
  return sp;
}

Result<std::optional<Id>> TrapInjector::NewestTrapBy(Store& store, Id app, Id author) {
  PageRequest newest;
  newest.limit = 1;
  auto found = store.FindTraps(app, TrapFilter{nullptr, author}, newest);
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<Id>();
  return std::optional<Id>(found->front().id);
}

Result<bool> TrapInjector::TrapOf(Store& store, Id app, Id id) {
  auto trap = store.GetTrap(id);
  if (!trap.ok()) return trap.status();
  return trap->has_value() && (*trap)->app_id == app;
}

void TrapInjector::MarkTrapDelivered(ApiResponse& response, Id trap) {
  auto& posts = response.delivered_posts;
  posts.erase(std::remove(posts.begin(), posts.end(), trap), posts.end());
  response.delivered_traps.push_back(trap);
}

Id TrapInjector::MaybeInject(ApiContext& ctx, const App& app, std::vector<StoredPost>& rows, bool full, bool newer) {
  // A full page drops its far end after the insertion: the trap never goes next to it, so
  // the page's ends (and its tokens) stay real posts.
  const size_t first_gap = full && newer ? 1 : 0;
  const size_t end_gap = rows.size() < 2 ? 0 : rows.size() - 1 - (full && !newer ? 1 : 0);
  if (end_gap <= first_gap) return 0;
  // Whether the page gets a trap depends on the app and the page's ends alone (keyed by the
  // secret, so no client can predict it): one page in every_posts / rows on average, and the
  // same page asked again the same answer (a page that got one shows it again: RenderPage).
  const uint64_t draw = Mix64(key_ ^ Mix64(uint64_t(app.id) ^ Mix64(uint64_t(rows.front().post.id) ^
                                                                      Mix64(uint64_t(rows.back().post.id)))));
  if (double(draw >> 11) / double(1ULL << 53) * double(every_posts_) >= double(rows.size())) return 0;
  // The widest gap between neighbours gives the trap an id no real post has.
  size_t at = 0;
  Id gap = 0;
  for (size_t i = first_gap; i < end_gap; ++i) {
    Id g = rows[i].post.id - rows[i + 1].post.id;
    if (g > gap) {
      gap = g;
      at = i;
    }
  }
  if (gap < 2) return 0;
  // A page asked again whose trap its query does not match (so the page does not show it)
  // gets no second one in the same gap: traps are not made anew on every request.
  PageRequest in_gap;
  in_gap.since_id = rows[at + 1].post.id;
  in_gap.until_id = rows[at].post.id;
  in_gap.limit = 1;
  if (auto there = ctx.store.FindTraps(app.id, TrapFilter{}, in_gap); !there.ok() || !there->empty()) return 0;
  auto counter = ctx.store.CountTraps(app.id);
  if (!counter.ok()) return 0;
  TrapRecord record = MakeTrap(secret_, app.id, uint64_t(*counter), vocabulary_, [&](std::string_view name) {
    auto found = ctx.store.GetUsersByUsername(std::vector<std::string>{std::string(name)});
    return !found.ok() || !found->empty();
  });
  if (!record.ok()) return 0;
  StoredTrap trap;
  trap.id = rows[at + 1].post.id + 1 + Id(Mix64(uint64_t(app.id) ^ uint64_t(*counter)) % uint64_t(gap - 1));
  trap.app_id = app.id;
  trap.counter = uint64_t(*counter);
  trap.author_id = ctx.ids.Next();
  trap.text = record.text;
  trap.lang = record.lang;
  trap.created_at = SnowflakeTime(trap.id);
  trap.marker = record.marker;
  // Its metrics and its author's profile are blends of its two neighbours' (trap_profile.h).
  const uint64_t seed = Mix64(uint64_t(trap.id) ^ Mix64(uint64_t(app.id) ^ trap.counter));
  const bool first = (seed & 1) != 0;
  const StoredPost& model = rows[first ? at : at + 1];
  const StoredPost& other = rows[first ? at + 1 : at];
  trap.metrics = TrapMetrics(model.post.metrics, other.post.metrics, seed);
  User model_author, other_author;
  model_author.created_at = other_author.created_at = trap.created_at - 86'400'000LL * int64_t(30 + seed % 900);
  // A second account to blend with: the other neighbour's author, else any other of the page
  // (a blend of one account with itself would repeat its numbers next to it).
  Id other_id = other.post.author_id;
  for (size_t i = 0; other_id == model.post.author_id && i < rows.size(); ++i) other_id = rows[i].post.author_id;
  auto authors = ctx.store.GetUsers(std::vector<Id>{model.post.author_id, other_id});
  if (authors.ok())
    for (auto& u : *authors) {
      if (u.id == other_id) other_author = u;
      if (u.id == model.post.author_id) model_author = u;
    }
  User author = TrapAuthorProfile(model_author, other_author, trap.author_id, record.author_username, record.author_name,
                                  trap.created_at, /*min_posts=*/1, seed);
  // Authors recur, as real ones do: three traps in four are by one of the distinct authors of
  // the app's 32 newest traps, drawn alike (drawing by trap would let one author take them
  // all), if that account is older than the trap by a day and has fewer traps than its
  // tweet_count says it posted.
  if ((seed >> 8) % 4 != 0) {
    PageRequest newest;
    newest.limit = 31;
    auto earlier = ctx.store.FindTraps(app.id, TrapFilter{}, newest);
    if (earlier.ok() && !earlier->empty()) {
      std::vector<Id> recent_authors;
      for (const auto& t : *earlier)
        if (std::find(recent_authors.begin(), recent_authors.end(), t.author_id) == recent_authors.end())
          recent_authors.push_back(t.author_id);
      const Id pick = recent_authors[(seed >> 16) % recent_authors.size()];
      auto known = ctx.store.GetUsers(std::vector<Id>{pick});
      PageRequest all;
      all.limit = 0;
      auto posted = ctx.store.FindTraps(app.id, TrapFilter{nullptr, pick}, all);
      if (known.ok() && known->size() == 1 && posted.ok() && known->front().synthetic &&
          known->front().created_at < trap.created_at - 86'400'000LL &&
          int64_t(posted->size()) < known->front().metrics.tweet_count) {
        author = std::move(known->front());
        trap.author_id = author.id;
      }
    }
  }
  if (auto clash = ctx.store.GetPosts(std::vector<Id>{trap.id}); !clash.ok() || !clash->empty()) return 0;
  if (!ctx.store.InsertTrap(trap, author).ok()) return 0;  // e.g. another worker took this counter
  rows.insert(rows.begin() + std::ptrdiff_t(at + 1), AsPost(trap));
  return trap.id;
}

Result<std::string> TrapInjector::LoadOrCreateSecret(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (in) {
    std::stringstream s;
    s << in.rdbuf();
    if (s.str().size() < 32) return CommandError(path + ": a trap secret must hold at least 32 bytes");
    return s.str();
  }
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return CommandError("no randomness for the trap secret");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return CommandError(path + ": cannot create the trap secret");
  bool ok = ::write(fd, bytes, sizeof bytes) == ssize_t(sizeof bytes) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return CommandError(path + ": cannot write the trap secret");
  return std::string(reinterpret_cast<const char*>(bytes), sizeof bytes);
}

}  // namespace sluice
