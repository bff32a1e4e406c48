#include "provenance/corpus_reader.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "provenance/jsonl_line.h"

namespace sluice {
namespace {

// Fixtures live in a fresh directory per test.
class Corpus : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-corpus-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& bytes) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  std::string dir_;
};

struct Doc {
  std::string text;
  std::string id;
  uint64_t line;
};

struct Read {
  Status status;
  std::vector<Doc> docs;
  CorpusStats stats;
};

Read ReadAllDocs(const std::string& path, CorpusOptions options = {}, size_t stop_after = 0) {
  Read r;
  r.status = ReadCorpus(
      path, options,
      [&](const CorpusDocument& d) {
        EXPECT_EQ(d.file, path);
        r.docs.push_back({std::string(d.text), std::string(d.id), d.line});
        return stop_after == 0 || r.docs.size() < stop_after;
      },
      r.stats);
  return r;
}

// One gzip member (deflate with a gzip header).
std::string Gzip(const std::string& data) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, uLong(data.size())) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = uInt(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = uInt(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string Zstd(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

TEST_F(Corpus, JsonlTakesTextAndStringOrNumberIds) {
  auto path = Write("a.jsonl",
                    "{\"id\":\"a1\",\"text\":\"hello\"}\n"
                    "{\"text\":\"world\",\"id\":42,\"lang\":\"en\"}\n"
                    "{\"text\":\"no id\"}\n"
                    "{\"id\":1.5e3,\"meta\":{\"text\":\"inner\",\"id\":\"x\"},\"text\":\"outer\"}\n"
                    "{\"id\":null,\"text\":\"esc \\\"q\\\" \\u00e9\\n\"}\n");
  auto r = ReadAllDocs(path);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.docs.size(), 5u);
  EXPECT_EQ(r.docs[0].text, "hello");
  EXPECT_EQ(r.docs[0].id, "a1");
  EXPECT_EQ(r.docs[1].text, "world");
  EXPECT_EQ(r.docs[1].id, "42");
  EXPECT_EQ(r.docs[2].id, "");
  EXPECT_EQ(r.docs[3].text, "outer");
  EXPECT_EQ(r.docs[3].id, "1.5e3");
  EXPECT_EQ(r.docs[4].text, "esc \"q\" \xC3\xA9\n");
  EXPECT_EQ(r.docs[4].id, "");
  EXPECT_EQ(r.docs[4].line, 5u);
  EXPECT_EQ(r.stats.documents, 5u);
  EXPECT_EQ(r.stats.malformed, 0u);
}

TEST_F(Corpus, JsonlMalformedLinesAreCountedNotFatal) {
  auto path = Write("m.jsonl",
                    "{\"text\":\"one\"}\n"
                    "{\"id\":\"7\"}\n"           // 2: no text
                    "\n"                          // blank: skipped, not malformed
                    "{\"text\": \"unterminated\n"  // 4: bad JSON
                    "   \n"
                    "{\"text\":17}\n"            // 6: text not a string
                    "[\"text\"]\n"               // 7: not an object
                    "{\"text\":\"a\"} x\n"       // 8: trailing garbage
                    "{\"text\":\"two\"}  \n");
  auto r = ReadAllDocs(path);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.docs.size(), 2u);
  EXPECT_EQ(r.docs[1].text, "two");
  EXPECT_EQ(r.docs[1].line, 9u);
  EXPECT_EQ(r.stats.documents, 2u);
  EXPECT_EQ(r.stats.malformed, 5u);
  EXPECT_EQ(r.stats.first_malformed, path + ":2: no \"text\" field");
  EXPECT_EQ(r.stats.bytes, r.stats.uncompressed_bytes);
  EXPECT_EQ(r.stats.bytes, std::filesystem::file_size(path));
}

TEST_F(Corpus, CrlfLineEndingsAreStripped) {
  auto r = ReadAllDocs(Write("c.jsonl", "{\"text\":\"a\"}\r\n\r\n{\"text\":\"b\"}\r\n"));
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.docs.size(), 2u);
  EXPECT_EQ(r.docs[1].text, "b");
  EXPECT_EQ(r.docs[1].line, 3u);
  EXPECT_EQ(r.stats.malformed, 0u);

  auto p = ReadAllDocs(Write("c.txt", "first\r\nsecond\r\n"));
  ASSERT_EQ(p.docs.size(), 2u);
  EXPECT_EQ(p.docs[0].text, "first");
  EXPECT_EQ(p.docs[1].text, "second");
}

TEST_F(Corpus, LineLongerThanTheBufferIsOneDocument) {
  std::string big(3 * 1024 * 1024 + 17, 'x');
  std::string data = "{\"text\":\"short\"}\n{\"id\":1,\"text\":\"" + big + "\"}\n{\"text\":\"after\"}";
  for (const auto& path : {Write("l.jsonl", data), Write("l.jsonl.gz", Gzip(data)),
                           Write("l.jsonl.zst", Zstd(data))}) {
    auto r = ReadAllDocs(path);
    ASSERT_TRUE(r.status.ok()) << r.status.message();
    ASSERT_EQ(r.docs.size(), 3u) << path;
    EXPECT_EQ(r.docs[1].text, big);
    EXPECT_EQ(r.docs[2].text, "after");
    EXPECT_EQ(r.docs[2].line, 3u);
    EXPECT_EQ(r.stats.uncompressed_bytes, data.size());
  }
}

// ReadJsonl reads runs of lines, letting the fast parse find where a flat object's line ends.
// Against the plain way, line by line (split at '\n', one '\r' dropped, a BOM on line 1,
// blank lines skipped, each line through Boost.JSON alone): the same documents, ids, line
// numbers, malformed count and first malformed line, on random files mixing flat objects,
// escapes, blank and whitespace lines, CRLF, bad JSON, objects cut by a '\n', extra values,
// lines longer than LineReader's buffer and a last line without '\n', plain and gzipped.
TEST_F(Corpus, JsonlRunsOfLinesReadAsLineByLine) {
  std::mt19937_64 rng(77);
  const std::string pieces[] = {
      R"({"text":"plain words here","id":12})",  R"({"id":"a7","text":"with \"escape\" inside"})",
      R"(  {"text": "spaced" , "id" : 3 }  )",    R"({"text":"t","meta":{"nested":[1,2]}})",
      R"({"text":42})",                           R"({"no_text":"x"})",
      R"({"text":"cut)",                          R"({"text":"a"} {"text":"b"})",
      R"([1,2])",                                 "",
      "   \t ",                                   R"({"text":"caf\u00e9 \ud83d\ude00"})",
      R"({"text":"x","text":"second"})",          R"({"text":"tab\there","id":-1.5})",
      "{\"text\":\"bad \x01 control\"}",        R"({"text":"split)" "\n" R"(across"})",
      R"({"text":"r"})" "\r",                     R"({"text":"rr"})" "\r\r"};
  for (int file = 0; file < 40; ++file) {
    std::string data = file % 5 == 0 ? "\xEF\xBB\xBF" : "";
    const int lines = 1 + static_cast<int>(rng() % 300);
    for (int l = 0; l < lines; ++l) {
      if (rng() % 50 == 0) {
        data += R"({"text":")" + std::string(1'200'000 + rng() % 1000, 'w') + R"("})";
      } else {
        data += pieces[rng() % std::size(pieces)];
      }
      if (l + 1 < lines || rng() % 2) data += "\n";
    }
    // The plain way.
    std::vector<Doc> want;
    uint64_t malformed = 0;
    std::string first_malformed;
    JsonlLineParser boost_only(false);
    std::string why;
    uint64_t number = 0;
    for (size_t start = 0; start < data.size();) {
      size_t nl = data.find('\n', start);
      if (nl == std::string::npos) nl = data.size();
      std::string_view line(data.data() + start, nl - start);
      start = nl + 1;
      ++number;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (number == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      std::string_view text, id;
      if (!boost_only.Parse(line, text, id, why)) {
        if (malformed++ == 0) first_malformed = ":" + std::to_string(number) + ": " + why;
        continue;
      }
      want.push_back({std::string(text), std::string(id), number});
    }
    for (const bool gz : {false, true}) {
      const std::string name = "f" + std::to_string(file) + ".jsonl";
      const Read r = ReadAllDocs(gz ? Write(name + ".gz", Gzip(data)) : Write(name, data));
      ASSERT_TRUE(r.status.ok()) << r.status.message();
      ASSERT_EQ(r.docs.size(), want.size()) << "file " << file;
      for (size_t d = 0; d < want.size(); ++d) {
        EXPECT_EQ(r.docs[d].text, want[d].text) << "file " << file << " doc " << d;
        EXPECT_EQ(r.docs[d].id, want[d].id) << "file " << file << " doc " << d;
        EXPECT_EQ(r.docs[d].line, want[d].line) << "file " << file << " doc " << d;
      }
      EXPECT_EQ(r.stats.malformed, malformed) << "file " << file;
      if (malformed > 0) {
        EXPECT_NE(r.stats.first_malformed.find(first_malformed), std::string::npos)
            << r.stats.first_malformed << " / " << first_malformed;
      }
    }
  }
}

TEST_F(Corpus, CsvQuotingAndMultiLineFields) {
  auto path = Write("d.csv",
                    "id,title,text,extra\r\n"
                    "1,t,plain,z\r\n"
                    "2,t,\"a, b\",z\r\n"
                    "3,t,\"say \"\"hi\"\"\",z\r\n"
                    "4,\"multi\nline title\",\"first\r\nsecond\",z\r\n"
                    "5,too short\r\n"
                    "\r\n"
                    "6,t,\"\",\r\n"
                    "7,t,last\r\n");
  auto r = ReadAllDocs(path);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.docs.size(), 6u);
  EXPECT_EQ(r.docs[0].text, "plain");
  EXPECT_EQ(r.docs[0].id, "1");
  EXPECT_EQ(r.docs[0].line, 2u);
  EXPECT_EQ(r.docs[1].text, "a, b");
  EXPECT_EQ(r.docs[2].text, "say \"hi\"");
  EXPECT_EQ(r.docs[3].text, "first\nsecond");
  EXPECT_EQ(r.docs[3].id, "4");
  EXPECT_EQ(r.docs[3].line, 5u);
  EXPECT_EQ(r.docs[4].text, "");
  EXPECT_EQ(r.docs[5].text, "last");
  EXPECT_EQ(r.docs[5].line, 11u);
  EXPECT_EQ(r.stats.malformed, 1u);
  EXPECT_EQ(r.stats.first_malformed, path + ":8: row has 2 fields, the text column is 3");
}

TEST_F(Corpus, CsvPicksAColumnContainingText) {
  auto r = ReadAllDocs(Write("h.csv", "\xEF\xBB\xBFID,Full_Text_Body\nx,hello\n"));
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.docs.size(), 1u);
  EXPECT_EQ(r.docs[0].text, "hello");
  EXPECT_EQ(r.docs[0].id, "x");
}

TEST_F(Corpus, CsvWithoutATextColumnIsAnError) {
  auto path = Write("n.csv", "id,body\n1,x\n");
  auto r = ReadAllDocs(path);
  ASSERT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find(path), std::string::npos) << r.status.message();
  EXPECT_NE(r.status.message().find("no text column"), std::string::npos);
}

TEST_F(Corpus, CsvBadQuotingIsMalformed) {
  auto path = Write("q.csv", "text\n\"a\"b\nok\n\"never closed\nstill open\n");
  auto r = ReadAllDocs(path);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.docs.size(), 1u);
  EXPECT_EQ(r.docs[0].text, "ok");
  EXPECT_EQ(r.stats.malformed, 2u);
  EXPECT_EQ(r.stats.first_malformed, path + ":2: bad CSV quoting");
}

TEST_F(Corpus, PlainTextPerLineAndWholeFiles) {
  auto path = Write("p.txt", "alpha beta\n\ngamma\nlast without newline");
  auto r = ReadAllDocs(path);
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.docs.size(), 3u);
  EXPECT_EQ(r.docs[1].text, "gamma");
  EXPECT_EQ(r.docs[1].line, 3u);
  EXPECT_EQ(r.docs[2].text, "last without newline");

  CorpusOptions whole;
  whole.whole_files = true;
  auto w = ReadAllDocs(path, whole);
  ASSERT_TRUE(w.status.ok());
  ASSERT_EQ(w.docs.size(), 1u);
  EXPECT_EQ(w.docs[0].text, "alpha beta\n\ngamma\nlast without newline");
  EXPECT_EQ(w.docs[0].line, 1u);

  auto z = ReadAllDocs(Write("p.txt.zst", Zstd("whole\nfile")), whole);
  ASSERT_TRUE(z.status.ok());
  ASSERT_EQ(z.docs.size(), 1u);
  EXPECT_EQ(z.docs[0].text, "whole\nfile");
}

// Two members / frames, each holding half the lines, read as one stream.
TEST_F(Corpus, GzipAndZstdWithSeveralMembersMatchThePlainFile) {
  std::string first, second;
  for (int i = 0; i < 20000; ++i) {
    std::string line = "{\"id\":" + std::to_string(i) + ",\"text\":\"document number " +
                       std::to_string(i * 7919) + "\"}\n";
    (i < 12345 ? first : second) += line;
  }
  first += "{broken\n";
  auto plain = ReadAllDocs(Write("s.jsonl", first + second));
  ASSERT_TRUE(plain.status.ok());
  ASSERT_EQ(plain.docs.size(), 20000u);
  ASSERT_EQ(plain.stats.malformed, 1u);

  for (const auto& [name, bytes] :
       {std::pair{std::string("s.jsonl.gz"), Gzip(first) + Gzip(second)},
        std::pair{std::string("s.jsonl.zst"), Zstd(first) + Zstd(second)}}) {
    auto path = Write(name, bytes);
    auto r = ReadAllDocs(path);
    ASSERT_TRUE(r.status.ok()) << r.status.message();
    ASSERT_EQ(r.docs.size(), plain.docs.size()) << name;
    for (size_t i = 0; i < r.docs.size(); i += 997) {
      EXPECT_EQ(r.docs[i].text, plain.docs[i].text);
      EXPECT_EQ(r.docs[i].id, plain.docs[i].id);
      EXPECT_EQ(r.docs[i].line, plain.docs[i].line);
    }
    EXPECT_EQ(r.stats.malformed, 1u);
    EXPECT_EQ(r.stats.first_malformed, path + ":12346: invalid JSON: syntax error");
    EXPECT_EQ(r.stats.bytes, bytes.size());
    EXPECT_EQ(r.stats.uncompressed_bytes, first.size() + second.size());
  }
}

TEST_F(Corpus, TruncatedOrCorruptCompressedFilesAreErrorsNamingTheFile) {
  std::string data;
  for (int i = 0; i < 5000; ++i) data += "{\"text\":\"line " + std::to_string(i) + "\"}\n";
  std::string gz = Gzip(data);
  std::string zst = Zstd(data);
  std::string corrupt = gz;
  corrupt[corrupt.size() / 2] ^= 0x55;
  corrupt[corrupt.size() / 2 + 1] ^= 0x55;
  for (const auto& [name, bytes, why] :
       {std::tuple{std::string("t.jsonl.gz"), gz.substr(0, gz.size() - 20), "truncated gzip"},
        std::tuple{std::string("t.jsonl.zst"), zst.substr(0, zst.size() - 20), "truncated zstd"},
        std::tuple{std::string("c.jsonl.gz"), corrupt, "gzip"},
        std::tuple{std::string("g.txt.gz"), std::string("not gzip at all\n"), "corrupt gzip"}}) {
    auto path = Write(name, bytes);
    auto r = ReadAllDocs(path);
    ASSERT_FALSE(r.status.ok()) << name;
    EXPECT_EQ(r.status.message().rfind(path + ": ", 0), 0u) << r.status.message();
    EXPECT_NE(r.status.message().find(why), std::string::npos) << r.status.message();
    EXPECT_NE(r.status.message().find("at offset"), std::string::npos) << r.status.message();
  }
}

TEST_F(Corpus, MissingFileIsAnErrorNamingIt) {
  auto r = ReadAllDocs(dir_ + "/absent.jsonl");
  ASSERT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("absent.jsonl: cannot open"), std::string::npos);
}

TEST_F(Corpus, StopsWhenVisitReturnsFalse) {
  auto r = ReadAllDocs(Write("e.txt", "a\nb\nc\nd\n"), {}, 2);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.docs.size(), 2u);
  EXPECT_EQ(r.stats.documents, 2u);
}

TEST_F(Corpus, ReportsProgressAndAddsToTheGivenStats) {
  const std::string line = "a line of plain text for the progress callback\n";
  std::string data;
  while (data.size() < (9u << 20)) data += line;
  auto path = Write("big.txt", data);
  CorpusStats stats;
  stats.documents = 5;  // stats accumulate across files
  std::vector<uint64_t> seen;
  Status s = ReadCorpus(
      path, {}, [](const CorpusDocument&) { return true; }, stats,
      [&](uint64_t bytes) { seen.push_back(bytes); });
  ASSERT_TRUE(s.ok());
  EXPECT_GE(seen.size(), 2u);
  EXPECT_EQ(stats.documents, 5 + data.size() / line.size());
  EXPECT_EQ(stats.bytes, data.size());
}

}  // namespace
}  // namespace sluice
