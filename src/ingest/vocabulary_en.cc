#include "ingest/vocabulary.h"

namespace sluice::vocab {

namespace {

constexpr std::string_view kNounPhrases[] = {
    "the government", "the mayor", "the city council", "the new project", "the budget", "the election",
    "the campaign", "local residents", "the neighbourhood", "the city", "teachers", "students", "the school",
    "the university", "researchers", "the lab", "the startup", "the company", "the CEO", "workers", "the strike",
    "the market", "tech stocks", "energy prices", "inflation", "interest rates", "the economy", "the central bank",
    "taxes", "the climate", "the planet", "wildfires", "the heatwave", "the storm", "the weather", "the festival",
    "the concert", "the film", "the new series", "her latest novel", "the bookshop", "the museum", "the exhibition",
    "the theatre", "the national team", "the match", "the fans", "the coach", "the club", "the final", "the league",
    "the marathon", "the night train", "public transport", "the subway", "electric cars", "the hospital", "doctors",
    "nurses", "the vaccine", "AI", "open source software", "the app", "my phone", "the internet", "social media",
    "cybersecurity", "the data", "the cloud", "the bakery", "the recipe", "the restaurant", "the chef", "coffee",
    "farmers", "the harvest", "Parliament", "the Senate", "Europe", "the summit", "the embassy", "volunteers",
    "the protest", "the debate", "the conference", "the podcast", "the show", "the newspaper", "the investigation",
    "the report", "the study", "the numbers", "the poll", "the launch", "the rocket", "the telescope", "scientists",
    "the update", "my neighbour", "our team", "the office", "remote work", "young people", "pensioners", "the court",
    "the police", "firefighters", "the coast", "the mountains", "Scotland", "Manchester", "Dublin", "the station",
    "the airport", "the harbour", "the library", "my cat", "the new policy", "the housing market", "rent",
    "the bill", "the minister", "the opposition", "the union", "the board", "investors", "the startup scene",
};

constexpr Verb kVerbs[] = {
    {"announced", "announced"}, {"launched", "launched"}, {"criticised", "criticised"}, {"backed", "backed"},
    {"delayed", "delayed"}, {"cancelled", "cancelled"}, {"revealed", "revealed"}, {"confirmed", "confirmed"},
    {"denied", "denied"}, {"changed", "changed"}, {"approved", "approved"}, {"rejected", "rejected"},
    {"praised", "praised"}, {"ignored", "ignored"}, {"won", "won"}, {"lost", "lost"}, {"broke", "broke"},
    {"fixed", "fixed"}, {"improved", "improved"}, {"published", "published"}, {"shared", "shared"},
    {"discussed", "discussed"}, {"questioned", "questioned"}, {"welcomed", "welcomed"}, {"surprised", "surprised"},
    {"shocked", "shocked"}, {"inspired", "inspired"}, {"funded", "funded"}, {"built", "built"}, {"opened", "opened"},
    {"closed", "closed"}, {"moved", "moved"}, {"tested", "tested"}, {"reviewed", "reviewed"},
    {"explained", "explained"}, {"doubled", "doubled"}, {"cut", "cut"}, {"raised", "raised"}, {"lowered", "lowered"},
    {"warned", "warned"}, {"signed", "signed"}, {"blocked", "blocked"}, {"celebrated", "celebrated"},
    {"visited", "visited"}, {"joined", "joined"}, {"left", "left"}, {"followed", "followed"}, {"hired", "hired"},
    {"interviewed", "interviewed"}, {"analysed", "analysed"}, {"underestimated", "underestimated"},
    {"transformed", "transformed"}, {"replaced", "replaced"}, {"saved", "saved"}, {"protected", "protected"},
    {"measured", "measured"}, {"called for", "called for"}, {"discovered", "discovered"}, {"prepared", "prepared"},
    {"is waiting for", "are waiting for"}, {"refused", "refused"}, {"defended", "defended"},
    {"presented", "presented"}, {"is talking about", "are talking about"}, {"loves", "love"},
};

constexpr std::string_view kComplements[] = {
    "this morning", "last night", "in London", "in Paris", "for the first time", "after months of talks",
    "despite the rain", "once again", "at last", "without warning", "ahead of the summer", "in record time",
    "this week", "on Monday", "yesterday", "today", "before the deadline", "in front of everyone",
    "behind closed doors", "for the third year in a row", "with no explanation", "across the country",
    "in the city centre", "near the station", "on live TV", "at the weekend", "by a wide margin",
    "in a surprise move", "according to sources", "as expected", "against all odds", "this year", "for years",
    "in Leeds", "in Bristol", "in New York", "in Toronto", "down the road from me", "at the last minute",
    "in the middle of the night", "starting tomorrow", "until further notice", "for good", "to loud applause",
    "very quietly", "in under an hour", "with a smile",
};

constexpr std::string_view kOpeners[] = {
    "Breaking:", "Wow,", "Honestly,", "So", "Just in:", "Update:", "Big news:", "Interesting:", "Well,", "Fun fact:",
    "Reminder:", "Thread:", "PSA:", "Hot take:", "Unpopular opinion:", "Not gonna lie,", "Quick update:", "Finally!",
    "Good morning!", "Heads up:",
};

constexpr std::string_view kClosers[] = {
    "Thoughts?", "What do you think?", "Huge.", "Big if true.", "Can't wait.", "Love it.", "Not great.", "More soon.",
    "Stay tuned.", "Worth a read.", "Wild.", "About time.", "Let's see.", "Details below.", "Share widely.",
    "Who else?", "I'm impressed.", "Sad to see.", "Incredible work.", "Unbelievable.", "Watch this space.",
    "Nothing makes sense anymore.",
};

constexpr std::string_view kReplyOpeners[] = {
    "Totally agree.", "Not sure about that.", "Thanks for sharing!", "Source?", "This is so true.", "Exactly.",
    "I disagree.", "Great point.", "Same here.", "Haha, yes.", "Interesting take.", "Can you explain?", "Well said.",
    "Congrats!", "Good question.", "Is this confirmed?", "Love this.", "Oh no.", "Makes sense.", "Fair enough.",
    "Thank you!", "Let's talk tomorrow.",
};

constexpr std::string_view kQuoteComments[] = {
    "This.", "Must read.", "Everyone should see this.", "Exactly what I said last week.", "Worth your time.",
    "Important thread.", "Wait, what?", "Can't believe this.", "Finally some good news.", "Bookmarking this.",
    "This is huge.", "Read the whole thing.", "Interesting data here.", "Hard to disagree.", "A good summary.",
};

constexpr std::string_view kHashtags[] = {
    "AI", "tech", "startups", "climate", "football", "NBA", "music", "books", "travel", "coffee", "MondayMotivation",
    "breaking", "elections", "science", "space", "health", "running", "photography", "gaming", "crypto", "markets",
    "London", "NYC", "opensource", "rustlang", "cpp", "economy", "housing", "weather", "cycling", "PremierLeague",
    "WorldCup", "nowplaying", "bookclub", "remotework", "energy", "education",
};

constexpr std::string_view kBioFragments[] = {
    "Freelance journalist.", "Cycling and cooking.", "Developer by day, musician by night.", "Maths teacher.",
    "Londoner.", "Book lover.", "Amateur photographer.", "Dad of two.", "Software engineer.", "Lifelong fan.",
    "Here for politics.", "Views my own.", "Climate researcher.", "Baker in Bristol.", "Rugby nut.", "Law student.",
    "Night shift nurse.", "Hiker.", "Powered by coffee.", "RTs are not endorsements.", "I write about the economy.",
    "Founder.", "Community organiser.", "Film buff.", "Weekend gardener.", "Curious traveller.", "Designer.",
    "City councillor.", "Musician.", "Translator.", "Happily retired.", "Building a startup.", "Podcaster.",
    "Weather and astronomy.", "Bookseller.",
};

constexpr std::string_view kMentionIntros[] = {"cc", "With", "Thanks to", "h/t", "via", "Congrats to", "Ask"};

}  // namespace

const Language& English() {
  static const Language kLanguage{"en",         kNounPhrases,   kVerbs,         {},           true,
                                  kComplements, kOpeners,       kClosers,       kReplyOpeners,
                                  kQuoteComments, kHashtags,    kBioFragments,  kMentionIntros};
  return kLanguage;
}

}  // namespace sluice::vocab
