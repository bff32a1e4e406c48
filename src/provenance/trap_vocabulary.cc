// TrapTextModel (declared in traps.h): the word chains trap texts are written with, built from
// a sample of the platform's own posts.
#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/search_tokens.h"
#include "provenance/fingerprint.h"
#include "provenance/trap_model.h"

namespace sluice {

namespace {

using Impl = TrapTextModel::Impl;

std::vector<std::string_view> SplitSpaces(std::string_view text) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t' || text[i] == '\r')) ++i;
    size_t j = i;
    while (j < text.size() && !(text[j] == ' ' || text[j] == '\n' || text[j] == '\t' || text[j] == '\r')) ++j;
    if (j > i) out.push_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

bool IsLink(std::string_view token) { return token.starts_with("http://") || token.starts_with("https://"); }

// A link without the punctuation a sentence puts after it.
std::string_view LinkPart(std::string_view token) {
  while (!token.empty() && std::string_view(".,;:!?)\"'").find(token.back()) != std::string_view::npos)
    token.remove_suffix(1);
  return token;
}

}  // namespace

std::pair<const uint32_t*, const uint32_t*> Impl::Chain::Next(uint32_t a, uint32_t b) const {
  const uint64_t key = uint64_t(a) << 32 | b;
  auto it = std::lower_bound(states.begin(), states.end(), key);
  if (it == states.end() || *it != key) return {nullptr, nullptr};
  const size_t s = size_t(it - states.begin());
  return {next.data() + first[s], next.data() + first[s + 1]};
}

Impl::Chain::Shape Impl::Chain::ShapeOf(std::string_view text) {
  Shape shape;
  const auto tokens = SplitSpaces(text);
  shape.tokens = uint16_t(std::min<size_t>(tokens.size(), UINT16_MAX));
  for (auto t : tokens) {
    const bool tag = t.size() > 1;
    shape.hashtags += tag && t[0] == '#' && shape.hashtags < 255;
    shape.mentions += tag && t[0] == '@' && shape.mentions < 255;
    shape.cashtags += tag && t[0] == '$' && shape.cashtags < 255;
    shape.links += IsLink(t) && shape.links < 255;
  }
  return shape;
}

bool Impl::HasShingle(uint64_t h) const { return std::binary_search(shingles.begin(), shingles.end(), h); }

const Impl::Chain* Impl::ChainOf(std::string_view lang) const {
  for (const auto& c : chains)
    if (c.lang == lang) return &c;
  return nullptr;
}

TrapTextModel::TrapTextModel() : impl_(std::make_unique<Impl>()) {}
TrapTextModel::~TrapTextModel() = default;
TrapTextModel::TrapTextModel(TrapTextModel&&) noexcept = default;
TrapTextModel& TrapTextModel::operator=(TrapTextModel&&) noexcept = default;

bool TrapTextModel::empty() const { return impl_->chains.empty(); }

std::vector<std::string> TrapTextModel::Languages() const {
  std::vector<std::string> out;
  for (const auto& c : impl_->chains) out.push_back(c.lang);
  return out;
}

size_t TrapTextModel::Posts(std::string_view lang) const {
  const Impl::Chain* c = impl_->ChainOf(lang);
  return c ? c->posts : 0;
}

size_t TrapTextModel::MemoryBytes() const {
  size_t bytes = impl_->shingles.capacity() * 8;
  for (const auto& l : impl_->links) bytes += l.capacity() + sizeof l;
  for (const auto& c : impl_->chains) {
    bytes += c.states.capacity() * 8 + (c.first.capacity() + c.next.capacity()) * 4;
    bytes += c.shapes.capacity() * sizeof(Impl::Chain::Shape) + (c.hashtags.capacity() + c.mentions.capacity() + c.cashtags.capacity()) * 4;
    for (const auto& t : c.tokens) bytes += 2 * (t.capacity() + sizeof t) + 16;  // tokens and ids
    for (const auto& [k, v] : c.by_search_token) bytes += k.capacity() + sizeof k + v.capacity() * 4 + 32;
  }
  return bytes;
}

TrapTextModel TrapTextModel::Build(std::span<const Sample> samples) {
  TrapTextModel model;
  Impl& impl = *model.impl_;
  // Pass 1: in how many posts each token occurs (links aside: they become slots).
  std::unordered_map<std::string_view, uint32_t> df;
  std::vector<std::vector<std::string_view>> split(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    split[i] = SplitSpaces(samples[i].text);
    std::vector<std::string_view> seen = split[i];
    std::sort(seen.begin(), seen.end());
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
    for (auto t : seen)
      if (!IsLink(t)) ++df[t];
  }
  // Pass 2: the chains, from the posts whose every word is common enough.
  std::map<std::string, Impl::Chain> chains;
  std::map<std::string, std::vector<std::pair<uint64_t, uint32_t>>> transitions;
  std::vector<uint64_t> shingles;
  std::map<std::string, std::vector<Impl::Chain::Shape>> shapes;
  for (size_t i = 0; i < samples.size(); ++i) {
    const auto& tokens = split[i];
    // Reposts ("RT @x: ...") and replies (leading @mentions) are left out: a trap is an
    // original post, and their shapes would mark it as a post that is not what it says.
    if (tokens.empty() || tokens[0] == "RT" || tokens[0].starts_with("@")) continue;
    // Shapes of every original post, usable or not, so trap lengths are those of all posts.
    const Impl::Chain::Shape shape = Impl::Chain::ShapeOf(samples[i].text);
    shapes[std::string(samples[i].lang)].push_back(shape);
    bool usable = true;
    for (auto t : tokens) usable = usable && (IsLink(t) || df[t] >= uint32_t(kMinTokenPosts));
    if (!usable) continue;
    Impl::Chain& chain = chains[std::string(samples[i].lang)];
    if (chain.tokens.empty()) {
      chain.lang = std::string(samples[i].lang);
      chain.tokens = {"", ""};
    }
    auto& trans = transitions[chain.lang];
    ++chain.posts;
    uint32_t a = Impl::kEnd, b = Impl::kEnd;
    for (auto t : tokens) {
      uint32_t id = Impl::kLink;
      if (IsLink(t)) {
        impl.links.emplace_back(LinkPart(t));
      } else {
        auto [it, added] = chain.ids.try_emplace(std::string(t), uint32_t(chain.tokens.size()));
        if (added) {
          chain.tokens.emplace_back(t);
          for (auto& s : SearchTokens(t)) {
            auto& list = chain.by_search_token[s];
            if (list.empty() || list.back() != it->second) list.push_back(it->second);
          }
        }
        id = it->second;
        if (t.size() > 1 && t[0] == '#') chain.hashtags.push_back(id);
        if (t.size() > 1 && t[0] == '@') chain.mentions.push_back(id);
        if (t.size() > 1 && t[0] == '$') chain.cashtags.push_back(id);
      }
      trans.emplace_back(uint64_t(a) << 32 | b, id);
      a = b;
      b = id;
    }
    trans.emplace_back(uint64_t(a) << 32 | b, Impl::kEnd);
    for (uint64_t h : ShingleHashes(NormalizeText(samples[i].text))) shingles.push_back(h);
  }
  for (auto& [lang, chain] : chains) {
    if (chain.posts < kMinLanguagePosts) continue;
    auto& trans = transitions[lang];
    std::stable_sort(trans.begin(), trans.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    chain.next.reserve(trans.size());
    for (size_t k = 0; k < trans.size(); ++k) {
      if (k == 0 || trans[k].first != trans[k - 1].first) {
        chain.states.push_back(trans[k].first);
        chain.first.push_back(uint32_t(chain.next.size()));
      }
      chain.next.push_back(trans[k].second);
    }
    chain.first.push_back(uint32_t(chain.next.size()));
    trans = {};
    chain.shapes = std::move(shapes[lang]);
    impl.chains.push_back(std::move(chain));
  }
  std::sort(shingles.begin(), shingles.end());
  shingles.erase(std::unique(shingles.begin(), shingles.end()), shingles.end());
  shingles.shrink_to_fit();
  impl.shingles = std::move(shingles);
  return model;
}

}  // namespace sluice
