#include "store/search/query.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace sluice {
namespace {

using Kind = SearchNode::Kind;

constexpr std::string_view kPrefix = "There were errors processing your request: ";

// The tree as text: (a AND b), (a OR b), -x; leaves as written in a query after folding.
std::string Show(const SearchNode& n) {
  switch (n.kind) {
    case Kind::kAnd:
    case Kind::kOr: {
      std::string out = "(";
      for (size_t i = 0; i < n.children.size(); ++i) {
        if (i > 0) out += n.kind == Kind::kAnd ? " AND " : " OR ";
        out += Show(n.children[i]);
      }
      return out + ")";
    }
    case Kind::kNot: return std::string(1, '-').append(Show(n.children.at(0)));
    case Kind::kTerm: return n.value;
    case Kind::kPhrase: return "\"" + n.value + "\"";
    case Kind::kHashtag: return "#" + n.value;
    case Kind::kCashtag: return "$" + n.value;
    case Kind::kMention: return "@" + n.value;
    case Kind::kFrom: return "from:" + n.value;
    case Kind::kTo: return "to:" + n.value;
    case Kind::kConversationId: return "conversation_id:" + n.value;
    case Kind::kInReplyToTweetId: return "in_reply_to_tweet_id:" + n.value;
    case Kind::kQuotesOfTweetId: return "quotes_of_tweet_id:" + n.value;
    case Kind::kUrl: return "url:<" + n.value + ">";
    case Kind::kLang: return "lang:" + n.value;
    case Kind::kIs: return "is:" + n.value;
    case Kind::kHas: return "has:" + n.value;
    case Kind::kRetweetsOf: return "retweets_of:" + n.value;
    case Kind::kBio: return "bio:<" + n.value + ">";
    case Kind::kPlaceCountry: return "place_country:" + n.value;
    case Kind::kPointRadius: return "point_radius:" + n.value;
    case Kind::kContext: return "context:" + n.value;
    case Kind::kEntity: return "entity:<" + n.value + ">";
    case Kind::kList: return "list:" + n.value;
    case Kind::kEmoji: return "emoji:<" + n.value + ">";
  }
  return "?";
}

// The parse as text, or "error: <reason> (at position N)".
std::string P(std::string_view query) {
  auto q = ParseSearchQuery(query);
  if (q.ok()) return Show(q->root);
  const Status& error = q.status();
  if (error.code() != StatusCode::kInvalidRequest || error.parameter_errors().size() != 1) return "bad error";
  const std::string& message = error.parameter_errors()[0].message;
  if (message.rfind(kPrefix, 0) != 0) return "bad message: " + message;
  return "error: " + message.substr(kPrefix.size());
}

TEST(SearchQuery, KeywordsAreLowercasedAndAnded) {
  EXPECT_EQ(P("Hello"), "hello");
  EXPECT_EQ(P("Hello World"), "(hello AND world)");
  EXPECT_EQ(P("  a \t b\nc  "), "(a AND b AND c)");
  EXPECT_EQ(P("ÉTÉ"), "ÉtÉ") << "only ASCII is folded; FTS5 folds the rest";
  EXPECT_EQ(P("a or b"), "(a AND or AND b)") << "only uppercase OR is an operator";
  EXPECT_EQ(P("covid-19 c#"), "(covid-19 AND c#)") << "'-' and '#' inside a word are part of it";
  EXPECT_EQ(P("a\u00A0b"), "(a AND b)") << "Unicode spaces separate";
}

TEST(SearchQuery, AndBindsTighterThanOr) {
  EXPECT_EQ(P("a b OR c"), "((a AND b) OR c)");
  EXPECT_EQ(P("a OR b c"), "(a OR (b AND c))");
  EXPECT_EQ(P("a OR b OR c d"), "(a OR b OR (c AND d))");
  EXPECT_EQ(P("a (b OR c)"), "(a AND (b OR c))");
  EXPECT_EQ(P("(a OR b) (c OR d)"), "((a OR b) AND (c OR d))");
}

TEST(SearchQuery, GroupsCollapseAndFlatten) {
  EXPECT_EQ(P("((a))"), "a");
  EXPECT_EQ(P("a (b c) d"), "(a AND b AND c AND d)");
  EXPECT_EQ(P("a OR (b OR (c OR d))"), "(a OR b OR c OR d)");
  EXPECT_EQ(P("(a b)(c)"), "(a AND b AND c)");
  EXPECT_EQ(P("a(b OR c)"), "(a AND (b OR c))");
}

TEST(SearchQuery, Negation) {
  EXPECT_EQ(P("a -is:retweet"), "(a AND -is:retweet)");
  EXPECT_EQ(P("a -\"b c\""), "(a AND -\"b c\")");
  EXPECT_EQ(P("a -(b OR c)"), "(a AND -(b OR c))");
  EXPECT_EQ(P("a -#Tag -@Bob -$AB"), "(a AND -#tag AND -@bob AND -$ab)");
  EXPECT_EQ(P("a OR -b"), "(a OR -b)");
  EXPECT_EQ(P("a -(-b)"), "(a AND --b)");
}

TEST(SearchQuery, Phrases) {
  EXPECT_EQ(P("\"Exact Phrase\""), "\"Exact Phrase\"") << "kept as written";
  EXPECT_EQ(P("\"a\"b"), "(\"a\" AND b)");
  EXPECT_EQ(P("\"a OR (b\""), "\"a OR (b\"");
  EXPECT_EQ(P("\"from:x\""), "\"from:x\"");
}

TEST(SearchQuery, EveryOperator) {
  EXPECT_EQ(P("from:TwitterDev"), "from:twitterdev");
  EXPECT_EQ(P("from:2244994945"), "from:2244994945");
  EXPECT_EQ(P("to:Some_User"), "to:some_user");
  EXPECT_EQ(P("to:12"), "to:12");
  EXPECT_EQ(P("conversation_id:1460323737035677698"), "conversation_id:1460323737035677698");
  EXPECT_EQ(P("in_reply_to_tweet_id:0042"), "in_reply_to_tweet_id:42");
  EXPECT_EQ(P("quotes_of_tweet_id:9223372036854775807"), "quotes_of_tweet_id:9223372036854775807");
  EXPECT_EQ(P("url:example.com"), "url:<example.com>");
  EXPECT_EQ(P("url:https://Example.com/a?b=c"), "url:<https://Example.com/a?b=c>");
  EXPECT_EQ(P("url:\"example.com/x y\""), "url:<example.com/x y>");
  EXPECT_EQ(P("#Sluice"), "#sluice");
  EXPECT_EQ(P("#café_2"), "#café_2");
  EXPECT_EQ(P("$TSLA"), "$tsla");
  EXPECT_EQ(P("@XDevelopers"), "@xdevelopers");
  EXPECT_EQ(P("a lang:EN"), "(a AND lang:en)");
  EXPECT_EQ(P("a lang:pt-BR lang:und"), "(a AND lang:pt-br AND lang:und)");
  EXPECT_EQ(P("a is:retweet is:reply is:quote is:verified"), "(a AND is:retweet AND is:reply AND is:quote AND is:verified)");
  EXPECT_EQ(P("a has:links has:mentions has:hashtags has:cashtags"),
            "(a AND has:links AND has:mentions AND has:hashtags AND has:cashtags)");
  EXPECT_EQ(P("FROM:x IS:Retweet"), "(from:x AND is:retweet)") << "operator names fold case";
  EXPECT_EQ(P("from:\"alice\""), "from:alice") << "any operator value may be quoted";
}

// Operators X accepts whose data Sluice may not hold: accepted, so the query runs
// (store/sqlite/search_sql.h says what each matches).
TEST(SearchQuery, OperatorsXAcceptsWithoutTheData) {
  EXPECT_EQ(P("a -has:media"), "(a AND -has:media)");
  EXPECT_EQ(P("a has:images has:videos has:video_link has:geo HAS:Media"),
            "(a AND has:images AND has:videos AND has:video_link AND has:geo AND has:media)");
  EXPECT_EQ(P("a -is:nullcast"), "(a AND -is:nullcast)");
  EXPECT_EQ(P("retweets_of:TwitterDev"), "retweets_of:twitterdev");
  EXPECT_EQ(P("retweets_of:2244994945"), "retweets_of:2244994945");
  EXPECT_EQ(P("bio:Developer"), "bio:<developer>");
  EXPECT_EQ(P("bio:\"data scientist\""), "bio:<data scientist>");
  EXPECT_EQ(P("place_country:us"), "place_country:US");
  EXPECT_EQ(P("point_radius:[-105.27346517 40.01924738 25mi]"), "point_radius:[-105.27346517 40.01924738 25mi]");
  EXPECT_EQ(P("point_radius:[2.35 48.85 0.5km] cafe"), "(point_radius:[2.35 48.85 0.5km] AND cafe)");
  EXPECT_EQ(P("context:10.799022225751871488"), "context:10.799022225751871488");
  EXPECT_EQ(P("context:47.*"), "context:47.*");
  EXPECT_EQ(P("entity:\"Michael Jordan\""), "entity:<Michael Jordan>");
  EXPECT_EQ(P("entity:NASA"), "entity:<NASA>");
  EXPECT_EQ(P("list:1234567890"), "list:1234567890");
  EXPECT_EQ(P("-place_country:FR hello"), "(-place_country:FR AND hello)");
}

TEST(SearchQuery, MalformedNewOperatorValues) {
  const std::string id = "expected a username (1 to 15 letters, digits or '_') or a user id";
  EXPECT_EQ(P("retweets_of:"), "error: Operator 'retweets_of:' has no value (at position 1)");
  EXPECT_EQ(P("retweets_of:a-b"), "error: Invalid value 'a-b' for operator 'retweets_of:': " + id + " (at position 13)");
  EXPECT_EQ(P("bio:\"\""), "error: Operator 'bio:' has no value (at position 1)");
  EXPECT_EQ(P("place_country:USA"),
            "error: Invalid value 'USA' for operator 'place_country:': expected an ISO 3166-1 alpha-2 country code "
            "such as US (at position 15)");
  const std::string radius =
      "expected [longitude latitude radius], longitude -180 to 180, latitude -90 to 90, radius up to 25mi or "
      "40km such as [2.35 48.85 10km]";
  EXPECT_EQ(P("point_radius:[2.35 48.85]"),
            "error: Invalid value '[2.35 48.85]' for operator 'point_radius:': " + radius + " (at position 14)");
  EXPECT_EQ(P("point_radius:[200 48.85 1km]"),
            "error: Invalid value '[200 48.85 1km]' for operator 'point_radius:': " + radius + " (at position 14)");
  EXPECT_EQ(P("point_radius:[2 91 1km]"),
            "error: Invalid value '[2 91 1km]' for operator 'point_radius:': " + radius + " (at position 14)");
  EXPECT_EQ(P("point_radius:[2 48 26mi]"),
            "error: Invalid value '[2 48 26mi]' for operator 'point_radius:': " + radius + " (at position 14)");
  EXPECT_EQ(P("point_radius:[2 48 10]"),
            "error: Invalid value '[2 48 10]' for operator 'point_radius:': " + radius + " (at position 14)");
  EXPECT_EQ(P("point_radius:2,48,10km"),
            "error: Invalid value '2,48,10km' for operator 'point_radius:': " + radius + " (at position 14)");
  EXPECT_EQ(P("a point_radius:[2 48 1km"), "error: Unterminated bracket: '[' has no closing ']' (at position 16)");
  EXPECT_EQ(P("point_radius:"), "error: Operator 'point_radius:' has no value (at position 1)");
  EXPECT_EQ(P("context:10"),
            "error: Invalid value '10' for operator 'context:': expected domain_id.entity_id or domain_id.* (at "
            "position 9)");
  EXPECT_EQ(P("entity:"), "error: Operator 'entity:' has no value (at position 1)");
  EXPECT_EQ(P("list:abc"), "error: Invalid value 'abc' for operator 'list:': expected an id of 1 to 19 digits (at "
                           "position 6)");
}

// X treats an emoji as a keyword of its own, also when written against a word.
TEST(SearchQuery, EmojiAreStandaloneKeywords) {
  EXPECT_EQ(P("😀"), "emoji:<😀>");
  EXPECT_EQ(P("love😀"), "(love AND emoji:<😀>)");
  EXPECT_EQ(P("😀🎉"), "(emoji:<😀> AND emoji:<🎉>)");
  EXPECT_EQ(P("👍🏽 -🔥"), "(emoji:<👍🏽> AND -emoji:<🔥>)") << "a skin tone belongs to its emoji";
  EXPECT_EQ(P("👨‍👩‍👧"), "emoji:<👨‍👩‍👧>") << "a ZWJ sequence is one emoji";
  EXPECT_EQ(P("❤️ OR 🇫🇷"), "(emoji:<❤️> OR emoji:<🇫🇷>)");
  EXPECT_EQ(P("a 1️⃣"), "(a AND emoji:<1️⃣>)") << "a keycap";
  EXPECT_EQ(P("a 123 ©"), "(a AND 123 AND ©)") << "digits and © without U+FE0F are text";
  EXPECT_EQ(P("\"I ❤️ it\""), "\"I ❤️ it\"") << "phrases are left as written";
}

TEST(SearchQuery, PositionsAndText) {
  auto q = ParseSearchQuery("a -b (c OR d)");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->text, "a -b (c OR d)");
  const SearchNode& root = q->root;
  ASSERT_EQ(root.children.size(), 3u);
  EXPECT_EQ(root.position, 1);
  EXPECT_EQ(root.children[1].kind, Kind::kNot);
  EXPECT_EQ(root.children[1].position, 3);
  EXPECT_EQ(root.children[1].children[0].position, 4);
  EXPECT_EQ(root.children[2].kind, Kind::kOr);
  EXPECT_EQ(root.children[2].children[1].position, 12);
  auto u = ParseSearchQuery("été b");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->root.children[1].position, 5) << "code points, not bytes";
}

TEST(SearchQuery, ErrorProblemShape) {
  auto q = ParseSearchQuery("a OR");
  ASSERT_FALSE(q.ok());
  const Status& s = q.status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidRequest);
  const auto& errors = s.parameter_errors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].parameter, "query");
  EXPECT_EQ(errors[0].value, "a OR");
  EXPECT_EQ(errors[0].message,
            "There were errors processing your request: OR must stand between two clauses (at position 3)");
}

TEST(SearchQuery, EmptyQuery) {
  EXPECT_EQ(P(""), "error: The query is empty (at position 1)");
  EXPECT_EQ(P("   \t"), "error: The query is empty (at position 1)");
}

TEST(SearchQuery, MisplacedOr) {
  EXPECT_EQ(P("OR a"), "error: OR must stand between two clauses (at position 1)");
  EXPECT_EQ(P("a OR"), "error: OR must stand between two clauses (at position 3)");
  EXPECT_EQ(P("a OR OR b"), "error: OR must stand between two clauses (at position 6)");
  EXPECT_EQ(P("(OR a)"), "error: OR must stand between two clauses (at position 2)");
  EXPECT_EQ(P("(a OR) b"), "error: OR must stand between two clauses (at position 4)");
  EXPECT_EQ(P("a -OR b"), "error: '-' must be followed directly by a keyword, an operator or a group (at position 3)");
}

TEST(SearchQuery, Parentheses) {
  EXPECT_EQ(P("a ()"), "error: Empty parentheses '()' (at position 3)");
  EXPECT_EQ(P("a ( )"), "error: Empty parentheses '()' (at position 3)");
  EXPECT_EQ(P("(a b"), "error: Unbalanced parentheses: '(' has no matching ')' (at position 1)");
  EXPECT_EQ(P("((a) b"), "error: Unbalanced parentheses: '(' has no matching ')' (at position 1)");
  EXPECT_EQ(P("a b)"), "error: Unbalanced parentheses: ')' has no matching '(' (at position 4)");
  EXPECT_EQ(P(") a"), "error: Unbalanced parentheses: ')' has no matching '(' (at position 1)");
  EXPECT_EQ(P("(a) b)"), "error: Unbalanced parentheses: ')' has no matching '(' (at position 6)");
}

TEST(SearchQuery, LoneSigns) {
  const std::string minus = "'-' must be followed directly by a keyword, an operator or a group";
  EXPECT_EQ(P("a -"), "error: " + minus + " (at position 3)");
  EXPECT_EQ(P("- a"), "error: " + minus + " (at position 1)");
  EXPECT_EQ(P("a --b"), "error: " + minus + " (at position 3)");
  EXPECT_EQ(P("(a -)"), "error: " + minus + " (at position 4)");
  EXPECT_EQ(P("a #"), "error: '#' must be followed by a name (at position 3)");
  EXPECT_EQ(P("a @ b"), "error: '@' must be followed by a name (at position 3)");
  EXPECT_EQ(P("$"), "error: '$' must be followed by a name (at position 1)");
}

TEST(SearchQuery, MalformedTags) {
  EXPECT_EQ(P("a #b!"), "error: Invalid hashtag: a hashtag holds letters, digits and '_', got '#b!' (at position 3)");
  EXPECT_EQ(P("$5"), "error: Invalid cashtag: a cashtag holds letters, got '$5' (at position 1)");
  EXPECT_EQ(P("@a.b"), "error: Invalid mention: a username holds 1 to 15 letters, digits or '_', got '@a.b' (at position 1)");
  EXPECT_EQ(P("@abcdefghijklmnop"),
            "error: Invalid mention: a username holds 1 to 15 letters, digits or '_', got '@abcdefghijklmnop' (at position 1)");
}

TEST(SearchQuery, UnknownOperators) {
  const std::string tail = "'. Operator is not available in current product or isn't recognized. (at position ";
  EXPECT_EQ(P("a foo:bar"), "error: Reference to invalid operator 'foo" + tail + "3)");
  EXPECT_EQ(P("https://x.com"), "error: Reference to invalid operator 'https" + tail + "1)");
  EXPECT_EQ(P("at 12:30"), "error: Reference to invalid operator '12" + tail + "4)");
  EXPECT_EQ(P("a :b"), "error: Reference to invalid operator '" + tail + "3)");
  EXPECT_EQ(P("a bar:\"x y\""), "error: Reference to invalid operator 'bar" + tail + "3)");
}

TEST(SearchQuery, OperatorValues) {
  EXPECT_EQ(P("a from:"), "error: Operator 'from:' has no value (at position 3)");
  EXPECT_EQ(P("a from: bob"), "error: Operator 'from:' has no value (at position 3)");
  EXPECT_EQ(P("a url:\"\""), "error: Operator 'url:' has no value (at position 3)");
  EXPECT_EQ(P("a is:"), "error: Operator 'is:' has no value (at position 3)");
  EXPECT_EQ(P("a from:bo-b"),
            "error: Invalid value 'bo-b' for operator 'from:': expected a username (1 to 15 letters, digits or '_') "
            "or a user id (at position 8)");
  EXPECT_EQ(P("to:12345678901234567890"),
            "error: Invalid value '12345678901234567890' for operator 'to:': expected a username (1 to 15 letters, "
            "digits or '_') or a user id (at position 4)");
  EXPECT_EQ(P("conversation_id:12a"),
            "error: Invalid value '12a' for operator 'conversation_id:': expected an id of 1 to 19 digits (at position 17)");
  EXPECT_EQ(P("in_reply_to_tweet_id:9223372036854775808"),
            "error: Invalid value '9223372036854775808' for operator 'in_reply_to_tweet_id:': expected an id of 1 to "
            "19 digits (at position 22)");
  EXPECT_EQ(P("quotes_of_tweet_id:-1"),
            "error: Invalid value '-1' for operator 'quotes_of_tweet_id:': expected an id of 1 to 19 digits (at "
            "position 20)");
  EXPECT_EQ(P("a lang:english"),
            "error: Invalid value 'english' for operator 'lang:': expected a language code such as en or pt-br (at "
            "position 8)");
  EXPECT_EQ(P("a lang:pt-"),
            "error: Invalid value 'pt-' for operator 'lang:': expected a language code such as en or pt-br (at "
            "position 8)");
  EXPECT_EQ(P("a is:null"),
            "error: Invalid value 'null' for operator 'is:': expected retweet, reply, quote, verified or nullcast "
            "(at position 6)");
  EXPECT_EQ(P("a has:medias"),
            "error: Invalid value 'medias' for operator 'has:': expected links, mentions, hashtags, cashtags, media, "
            "images, videos, video_link or geo (at position 7)");
  EXPECT_EQ(P("a from:\"b c\""),
            "error: Invalid value 'b c' for operator 'from:': expected a username (1 to 15 letters, digits or '_') "
            "or a user id (at position 9)")
      << "a quoted value is reported at its first character";
}

TEST(SearchQuery, Quotes) {
  EXPECT_EQ(P("a \"b c"), "error: Unterminated quote: '\"' has no closing '\"' (at position 3)");
  EXPECT_EQ(P("a url:\"b c"), "error: Unterminated quote: '\"' has no closing '\"' (at position 7)");
  EXPECT_EQ(P("a \"\""), "error: Empty exact phrase (at position 3)");
  EXPECT_EQ(P("a \"  \""), "error: Empty exact phrase (at position 3)");
  EXPECT_EQ(P("(a \"b"), "error: Unterminated quote: '\"' has no closing '\"' (at position 4)")
      << "the first error in query order wins";
  EXPECT_EQ(P("a) \"b"), "error: Unbalanced parentheses: ')' has no matching '(' (at position 2)");
}

TEST(SearchQuery, ConjunctionRequiredOperatorsCannotStandAlone) {
  const std::string alone = " cannot be used alone: add a keyword or a standalone operator (at position ";
  EXPECT_EQ(P("is:retweet"), "error: is:retweet" + alone + "1)");
  EXPECT_EQ(P("lang:EN has:links"), "error: lang:en" + alone + "1)");
  EXPECT_EQ(P("(is:reply OR has:hashtags)"), "error: is:reply" + alone + "2)");
  EXPECT_EQ(P("-a is:quote"), "error: is:quote" + alone + "4)") << "a negated clause does not count";
  EXPECT_EQ(P("-is:retweet"), "error: is:retweet" + alone + "2)");
  EXPECT_EQ(P("-from:bob is:verified"), "error: is:verified" + alone + "11)");
  for (const char* ok : {"a is:retweet", "#a has:links", "@a lang:en", "$a is:quote", "from:a is:reply",
                         "to:a has:mentions", "url:a.com is:quote", "conversation_id:1 is:reply",
                         "in_reply_to_tweet_id:1 has:links", "quotes_of_tweet_id:1 lang:fr", "\"a b\" is:verified",
                         "a OR is:retweet", "(a -is:retweet) OR b"})
    EXPECT_EQ(P(ok).rfind("error", 0), std::string::npos) << ok << ": " << P(ok);
}

TEST(SearchQuery, NeedsAPositiveClause) {
  EXPECT_EQ(P("-a"), "error: The query needs at least one clause that is not negated (at position 1)");
  EXPECT_EQ(P(" -a -#b"), "error: The query needs at least one clause that is not negated (at position 2)");
  EXPECT_EQ(P("-(a OR b)"), "error: The query needs at least one clause that is not negated (at position 1)");
}

TEST(SearchQuery, LengthLimitCountsCodePoints) {
  EXPECT_EQ(P(std::string(512, 'a')), std::string(512, 'a'));
  EXPECT_EQ(P(std::string(513, 'a')),
            "error: The query is 513 characters long; the maximum is 512 (at position 513)");
  std::string accents;
  for (int i = 0; i < 512; ++i) accents += "é";
  EXPECT_TRUE(ParseSearchQuery(accents).ok()) << "1024 bytes but 512 characters";
  EXPECT_EQ(P(accents + "é"), "error: The query is 513 characters long; the maximum is 512 (at position 513)");
}

TEST(SearchQuery, TheFullArchiveTakesQueriesOf1024Characters) {
  EXPECT_TRUE(ParseSearchQuery(std::string(1024, 'a'), kMaxArchiveSearchQueryLength).ok());
  auto long_one = ParseSearchQuery(std::string(1025, 'a'), kMaxArchiveSearchQueryLength);
  ASSERT_FALSE(long_one.ok());
  ASSERT_EQ(long_one.status().parameter_errors().size(), 1u);
  EXPECT_EQ(long_one.status().parameter_errors()[0].message,
            std::string(kPrefix) + "The query is 1025 characters long; the maximum is 1024 (at position 1025)");
}

TEST(SearchQuery, PositionsCountCodePoints) {
  EXPECT_EQ(P("café )"), "error: Unbalanced parentheses: ')' has no matching '(' (at position 6)");
  EXPECT_EQ(P("🙂🙂 foo:x"), "error: Reference to invalid operator 'foo'. Operator is not available in current "
                              "product or isn't recognized. (at position 4)");
  EXPECT_EQ(P("ü lang:xx_"), "error: Invalid value 'xx_' for operator 'lang:': expected a language code such as en "
                              "or pt-br (at position 8)");
}

TEST(SearchQuery, InvalidUtf8AndControlCharacters) {
  EXPECT_EQ(P("a \xff b"), "error: Invalid UTF-8 (at position 3)");
  EXPECT_EQ(P("é\xc3"), "error: Invalid UTF-8 (at position 2)") << "truncated";
  EXPECT_EQ(P("\xc0\xaf"), "error: Invalid UTF-8 (at position 1)") << "overlong";
  EXPECT_EQ(P("a\xed\xa0\x80"), "error: Invalid UTF-8 (at position 2)") << "surrogate";
  EXPECT_EQ(P("\xf4\x90\x80\x80"), "error: Invalid UTF-8 (at position 1)") << "above U+10FFFF";
  EXPECT_EQ(P("\x80"), "error: Invalid UTF-8 (at position 1)") << "lone continuation byte";
  EXPECT_EQ(P(std::string("a\0b", 3)), "error: Invalid character U+0000 (at position 2)");
  EXPECT_EQ(P("a \x7f"), "error: Invalid character U+007F (at position 3)");
  EXPECT_EQ(P("\"a\x01\""), "error: Invalid character U+0001 (at position 3)");
  auto q = ParseSearchQuery("a\xff");
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.status().parameter_errors()[0].value, "a\xEF\xBF\xBD") << "echoed as valid UTF-8";
}

TEST(SearchQuery, NestingIsBounded) {
  std::string ok = std::string(50, '(') + "a" + std::string(50, ')');
  EXPECT_EQ(P(ok), "a");
  std::string deep = std::string(51, '(') + "a" + std::string(51, ')');
  EXPECT_EQ(P(deep), "error: Parentheses are nested more than 50 deep (at position 51)");
  std::string negations;
  for (int i = 0; i < 50; ++i) negations += "-(";
  EXPECT_EQ(P("a " + negations + "b" + std::string(50, ')')).substr(0, 7), "(a AND ");
  EXPECT_EQ(P(std::string(400, '(')), "error: Parentheses are nested more than 50 deep (at position 51)");
}

// Checks what every tree from the parser satisfies.
void ExpectWellFormed(const SearchNode& n, int length) {
  EXPECT_GE(n.position, 1);
  EXPECT_LE(n.position, length);
  switch (n.kind) {
    case Kind::kAnd:
    case Kind::kOr:
      EXPECT_GE(n.children.size(), 2u);
      for (const auto& c : n.children) {
        EXPECT_NE(c.kind, n.kind) << "not flattened";
        ExpectWellFormed(c, length);
      }
      break;
    case Kind::kNot:
      ASSERT_EQ(n.children.size(), 1u);
      ExpectWellFormed(n.children[0], length);
      break;
    default:
      EXPECT_TRUE(n.children.empty());
      EXPECT_FALSE(n.value.empty());
  }
}

TEST(SearchQuery, RandomInputNeverCrashes) {
  const std::vector<std::string> pieces = {
      "a", "b", "Hello", " ", " ", "  ", "OR", " OR ", "(", ")", "-", "\"", "#", "@", "$", ":", "from:", "to:1",
      "is:retweet", "has:links", "lang:en", "url:", "conversation_id:", "123", "x_y", "é", "🙂", "\t", "\xff",
      "\xc3", "\xe2\x80", "\xa0", std::string("\0", 1), "\x7f", "\u3000", "#tag", "@bob", "$AB", "foo:", "\"a b\""};
  std::mt19937 rng(20240601);
  int ok = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string query;
    const int n = static_cast<int>(rng() % 24);
    for (int k = 0; k < n; ++k) {
      if (rng() % 8 == 0)
        query += static_cast<char>(rng() % 256);
      else
        query += pieces[rng() % pieces.size()];
    }
    auto q = ParseSearchQuery(query);
    if (q.ok()) {
      ++ok;
      ExpectWellFormed(q->root, static_cast<int>(query.size()));
      continue;
    }
    const auto& errors = q.status().parameter_errors();
    ASSERT_EQ(q.status().code(), StatusCode::kInvalidRequest) << query;
    ASSERT_EQ(errors.size(), 1u);
    ASSERT_EQ(errors[0].message.rfind(kPrefix, 0), 0u) << errors[0].message;
    ASSERT_NE(errors[0].message.find(" (at position "), std::string::npos) << errors[0].message;
  }
  EXPECT_GT(ok, 1000) << "the generator should also make valid queries";
}

}  // namespace
}  // namespace sluice
