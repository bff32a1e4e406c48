#pragma once
//! Word lists for synthetic data (seed.cc): a small grammar per language, names, places,
//! organisations. Static data, written for Sluice; order matters (changing a list changes
//! what a seed generates).

#include <span>
#include <string_view>

namespace sluice::vocab {

using Words = std::span<const std::string_view>;

struct Verb {
  std::string_view singular;
  std::string_view plural;
};

//! One language's grammar: sentence = [opener] subject verb object [complement] [closer].
struct Language {
  std::string_view code;         // "fr", "en"
  Words noun_phrases;            // subjects and objects, with their article
  std::span<const Verb> verbs;   // agreeing with a plural subject when it starts with a plural article
  Words plural_articles;         // a noun phrase starting with one of these is plural ("les ")
  bool plural_ends_in_s;         // ... or, when set, one ending in 's' ("the fans")
  Words complements;             // time, place, manner
  Words openers;                 // "Breaking:", "Franchement,"
  Words closers;                 // whole short sentences
  Words reply_openers;           // how a reply starts
  Words quote_comments;          // what a quote post says about the quoted one
  Words hashtags;                // without '#'
  Words bio_fragments;           // user descriptions
  Words mention_intros;          // words before an @mention ("cc", "merci à", "thanks to")
};

const Language& French();
const Language& English();

Words FirstNames();
Words LastNames();
Words Cities();
Words Emojis();
Words Cashtags();       // without '$'
Words NewsDomains();    // hosts for https:// links
Words BareDomains();    // hosts written without a scheme (known TLDs)
Words UrlSections();    // first path segment
Words SlugWords();      // ASCII words for url slugs

struct Org {
  std::string_view name;
  std::string_view username;  // base handle, [A-Za-z0-9_]{1,15}; digits are added when taken
};
std::span<const Org> GovernmentOrgs();
std::span<const Org> MediaOrgs();
std::span<const Org> Businesses();

}  // namespace sluice::vocab
