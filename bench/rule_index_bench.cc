// How fast the filtered stream matches posts against its rules (issue 16: >= 100,000 posts a
// second against 25,000 rules on one core): RuleIndex::Match (required-term index, then each
// candidate verified) against every rule tried in turn on the same prepared post (the
// brute-force reference), in one run. Rules are drawn from the seed vocabulary as a client
// would write them (keywords, phrases, OR groups, negations, hashtags, from:, lang:, is:); the
// posts are the seed generator's (users, replies, quotes, reposts, tags, links, two languages).
//
//   build/bench/rule_index_bench                      (make bench runs it)
//   build/bench/rule_index_bench --benchmark_filter=Index
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/search_tokens.h"
#include "ingest/random.h"
#include "ingest/seed.h"
#include "ingest/vocabulary.h"
#include "store/search/rule_index.h"

namespace sluice {
namespace {

constexpr int kRules = 25000;
constexpr int kApps = 250;  // 100 rules each

// A post and what its facts point into (the facts hold views).
struct BenchPost {
  Post post;
  std::string author, replied_to_author;
  SearchFacts Facts() const {
    SearchFacts f;
    f.text = post.text;
    f.lang = post.lang;
    f.reply = post.Reference(ReferenceType::kRepliedTo).has_value();
    f.quote = post.Reference(ReferenceType::kQuoted).has_value();
    f.retweet = post.Reference(ReferenceType::kRetweeted).has_value();
    f.author_id = post.author_id;
    f.author_username = author;
    f.in_reply_to_user_id = post.in_reply_to_user_id.value_or(0);
    f.in_reply_to_username = replied_to_author;
    f.conversation_id = post.conversation_id;
    f.replied_to_id = post.Reference(ReferenceType::kRepliedTo).value_or(0);
    f.quoted_id = post.Reference(ReferenceType::kQuoted).value_or(0);
    return f;
  }
};

struct Fixture {
  std::vector<BenchPost> posts;
  std::vector<std::string> usernames;
  // Broad rules: one post in the seed's small vocabulary matches about 1% of them (~230).
  std::shared_ptr<const RuleIndex> index;     // built with key frequencies of a post sample
  std::shared_ptr<const RuleIndex> guessing;  // built without (the fixed guess)
  // Selective rules, as monitoring rules are written (two or three clauses that must all hold):
  // a post matches a few of them.
  std::shared_ptr<const RuleIndex> selective;
};

// Words a rule is written with: the vocabulary's tokens, the very short ones left out (a
// client's rule says "marathon", not "the").
std::vector<std::string> RuleWords(const vocab::Language& lang) {
  std::vector<std::string> out;
  auto add = [&](vocab::Words words) {
    for (std::string_view w : words)
      for (std::string& t : SearchTokens(w))
        if (t.size() >= 4) out.push_back(std::move(t));
  };
  add(lang.noun_phrases);
  add(lang.complements);
  add(vocab::Cities());
  add(vocab::FirstNames());
  add(vocab::LastNames());
  return out;
}

std::vector<std::string> Phrases(const vocab::Language& lang) {
  std::vector<std::string> out;
  for (std::string_view p : lang.noun_phrases)
    if (SearchTokens(p).size() >= 2) out.emplace_back(p);
  return out;
}

std::string Rule(Rng& rng, const Fixture& f, const std::vector<std::string>& words,
                 const std::vector<std::string>& phrases, const vocab::Language& lang) {
  auto word = [&] { return words[rng.Below(words.size())]; };
  switch (rng.Below(10)) {
    case 0: return word();
    case 1: return word() + " " + word();
    case 2: return "(" + word() + " OR " + word() + " OR " + word() + ") -is:retweet";
    case 3: return "\"" + phrases[rng.Below(phrases.size())] + "\"";
    case 4: return "#" + std::string(lang.hashtags[rng.Below(lang.hashtags.size())]);
    case 5: return "#" + std::string(lang.hashtags[rng.Below(lang.hashtags.size())]) + " " + word();
    case 6: return "from:" + f.usernames[rng.Below(f.usernames.size())];
    case 7: return word() + " lang:" + std::string(lang.code) + " -is:reply";
    case 8: return word() + " -" + word() + " has:links";
    default: return "(" + word() + " " + word() + ") OR @" + f.usernames[rng.Below(f.usernames.size())];
  }
}

std::string SelectiveRule(Rng& rng, const Fixture& f, const std::vector<std::string>& words,
                          const std::vector<std::string>& phrases, const vocab::Language& lang) {
  auto word = [&] { return words[rng.Below(words.size())]; };
  auto tag = [&] { return "#" + std::string(lang.hashtags[rng.Below(lang.hashtags.size())]); };
  auto user = [&] { return f.usernames[rng.Below(f.usernames.size())]; };
  switch (rng.Below(10)) {
    case 0: return word() + " " + word() + " " + word();
    case 1: return "\"" + phrases[rng.Below(phrases.size())] + "\" " + word();
    case 2: return tag() + " " + word() + " " + word();
    case 3: return "from:" + user();
    case 4: return "(" + word() + " " + word() + ") OR (" + word() + " " + word() + ") -is:retweet";
    case 5: return word() + " " + word() + " lang:" + std::string(lang.code) + " -is:reply";
    case 6: return tag() + " from:" + user();
    case 7: return word() + " " + word() + " -" + word() + " has:links";
    case 8: return "@" + user() + " " + word();
    default: return "\"" + phrases[rng.Below(phrases.size())] + "\" -is:retweet " + word();
  }
}

const Fixture& Get() {
  static const Fixture* fixture = [] {
    auto* f = new Fixture;
    SeedOptions o;
    o.users = 2000;
    o.posts = 20000;
    o.seed = 16;
    o.now = 1780000000000;
    std::unordered_map<Id, std::string> names;
    Status s = GenerateSeed(
        o,
        [&](WriteBatch&& b) {
          for (User& u : b.users) {
            names[u.id] = u.username;
            f->usernames.push_back(u.username);
          }
          for (Post& p : b.posts) f->posts.push_back(BenchPost{std::move(p), "", ""});
          return Status::Ok();
        },
        nullptr);
    if (!s.ok()) std::abort();
    for (BenchPost& p : f->posts) {
      p.author = names[p.post.author_id];
      if (p.post.in_reply_to_user_id) p.replied_to_author = names[*p.post.in_reply_to_user_id];
    }
    for (std::string& u : f->usernames)
      for (char& c : u)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    Rng rng(16);
    const vocab::Language* langs[] = {&vocab::English(), &vocab::French()};
    std::vector<std::string> words[2] = {RuleWords(*langs[0]), RuleWords(*langs[1])};
    std::vector<std::string> phrases[2] = {Phrases(*langs[0]), Phrases(*langs[1])};
    auto draw = [&](auto rule) {
      std::vector<IndexedRule> rules;
      for (int i = 0; int(rules.size()) < kRules; ++i) {
        const int l = int(rng.Below(2));
        auto q = ParseSearchQuery(rule(rng, *f, words[l], phrases[l], *langs[l]), 1024);
        if (!q.ok()) continue;
        rules.push_back(IndexedRule{Id(i + 1), Id(1 + i % kApps), "", std::move(q->root)});
      }
      return rules;
    };
    std::vector<IndexedRule> rules = draw(Rule);
    std::vector<IndexedRule> selective = draw(SelectiveRule);
    // The hub's sample: the first 2,000 posts (a tenth), as it would count its recent posts.
    KeyFrequencies frequencies;
    for (size_t i = 0; i < 2000 && i < f->posts.size(); ++i) {
      const SearchFacts facts = f->posts[i].Facts();
      frequencies.Add(SearchSubject(facts));
    }
    f->guessing = RuleIndex::Build(rules);
    f->index = RuleIndex::Build(std::move(rules), &frequencies);
    f->selective = RuleIndex::Build(std::move(selective), &frequencies);
    return f;
  }();
  return *fixture;
}

void MatchWith(benchmark::State& state, const RuleIndex& index) {
  const Fixture& f = Get();
  size_t i = 0, matched = 0;
  for (auto _ : state) {
    const SearchFacts facts = f.posts[i++ % f.posts.size()].Facts();
    auto m = index.Match(facts);
    matched += m.size();
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["rules"] = double(index.size());
  state.counters["distinct_queries"] = double(index.distinct_queries());
  state.counters["always_checked"] = double(index.always_checked());
  state.counters["matches_per_post"] = double(matched) / double(state.iterations());
}

void BM_RuleIndexMatch(benchmark::State& state) { MatchWith(state, *Get().index); }
BENCHMARK(BM_RuleIndexMatch)->Unit(benchmark::kMicrosecond)->MinTime(3.0);

// The same rules indexed without key frequencies (each AND under its child of the fixed guess).
void BM_RuleIndexMatchWithoutFrequencies(benchmark::State& state) { MatchWith(state, *Get().guessing); }
BENCHMARK(BM_RuleIndexMatchWithoutFrequencies)->Unit(benchmark::kMicrosecond)->MinTime(3.0);

void BM_SelectiveRuleIndexMatch(benchmark::State& state) { MatchWith(state, *Get().selective); }
BENCHMARK(BM_SelectiveRuleIndexMatch)->Unit(benchmark::kMicrosecond)->MinTime(3.0);

// The reference: the same post prepared once, then every rule evaluated.
void BruteForce(benchmark::State& state, const RuleIndex& index) {
  const Fixture& f = Get();
  size_t i = 0, matched = 0;
  for (auto _ : state) {
    const SearchFacts facts = f.posts[i++ % f.posts.size()].Facts();
    const SearchSubject subject(facts);
    for (const IndexedRule& r : index.rules())
      if (subject.Matches(r.query)) ++matched;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["matches_per_post"] = double(matched) / double(state.iterations());
}
void BM_BruteForceMatch(benchmark::State& state) { BruteForce(state, *Get().index); }
BENCHMARK(BM_BruteForceMatch)->Unit(benchmark::kMicrosecond)->MinTime(3.0);
void BM_SelectiveBruteForceMatch(benchmark::State& state) { BruteForce(state, *Get().selective); }
BENCHMARK(BM_SelectiveBruteForceMatch)->Unit(benchmark::kMicrosecond)->MinTime(3.0);

// What every post costs before any rule: its tokens, entities and keys.
void BM_PreparePost(benchmark::State& state) {
  const Fixture& f = Get();
  size_t i = 0, keys = 0;
  for (auto _ : state) {
    const SearchFacts facts = f.posts[i++ % f.posts.size()].Facts();
    const SearchSubject subject(facts);
    ForEachKey(subject, [&](RuleKeyKind, std::string_view) { ++keys; });
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["keys_per_post"] = double(keys) / double(state.iterations());
}
BENCHMARK(BM_PreparePost)->Unit(benchmark::kMicrosecond)->MinTime(2.0);

void BM_RuleIndexBuild(benchmark::State& state) {
  const Fixture& f = Get();
  for (auto _ : state) {
    auto index = RuleIndex::Build(f.index->rules());
    benchmark::DoNotOptimize(index);
  }
  state.SetItemsProcessed(state.iterations() * int64_t(f.index->size()));
}
BENCHMARK(BM_RuleIndexBuild)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sluice

BENCHMARK_MAIN();
