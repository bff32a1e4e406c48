#pragma once
//! TrapTextModel's representation, shared by its builder (trap_vocabulary.cc) and MakeTrap
//! (traps.cc). Internal to src/provenance.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "provenance/traps.h"

namespace sluice {

struct TrapTextModel::Impl {
  static constexpr uint32_t kEnd = 0;   // before the first token and after the last
  static constexpr uint32_t kLink = 1;  // a link's slot

  struct Chain {
    std::string lang;
    size_t posts = 0;
    std::vector<std::string> tokens;  // by id; 0 and 1 are kEnd and kLink
    std::unordered_map<std::string, uint32_t> ids;
    // The chain, flat: states (previous two token ids, a << 32 | b) sorted, and per state the
    // successors seen, with repeats (so a uniform pick follows their frequency).
    std::vector<uint64_t> states;
    std::vector<uint32_t> first;  // per state, plus one: index into `next`
    std::vector<uint32_t> next;
    // Search token -> ids of the tokens holding it (for a query's keywords).
    std::unordered_map<std::string, std::vector<uint32_t>> by_search_token;
    std::vector<uint32_t> hashtags, mentions, cashtags;  // token ids of each kind (with repeats)
    // Per sample post: its tokens, hashtags, mentions, cashtags and links. A trap draws one
    // and keeps only a text of that shape, so these follow the sample's joint distribution.
    struct Shape {
      uint16_t tokens = 0;
      uint8_t hashtags = 0, mentions = 0, cashtags = 0, links = 0;
    };
    std::vector<Shape> shapes;
    static Shape ShapeOf(std::string_view text);  // of a post text, as Build counts it

    // Successors of (a, b), or an empty range.
    std::pair<const uint32_t*, const uint32_t*> Next(uint32_t a, uint32_t b) const;
  };
  std::vector<Chain> chains;        // sorted by language
  std::vector<std::string> links;   // the sample's links as written
  std::vector<uint64_t> shingles;   // every shingle hash of the sample's posts, sorted, distinct

  bool HasShingle(uint64_t h) const;
  const Chain* ChainOf(std::string_view lang) const;
};

}  // namespace sluice
