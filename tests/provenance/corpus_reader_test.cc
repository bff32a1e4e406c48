#include "provenance/corpus_reader.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

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
