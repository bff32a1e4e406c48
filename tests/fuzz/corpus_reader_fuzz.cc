// Fuzzes ReadCorpus on whole files, as `sluice trace` reads a suspect dataset. The first byte
// chooses how the rest is written (tests/fuzz/corpus/corpus_reader_fuzz/ has one seed of each):
//   format   (byte % 3):       .jsonl, .csv or .txt
//   encoding (byte / 3 % 5):   plain; gzip- or zstd-compressed here; written as is to a .gz or
//                              .zst file (the decompressors on corrupt or truncated data)
//   whole_files (byte / 15 % 2)
// ReadCorpus must return, never crash; every document's views are read in full (ASan sees a
// dangling one); line numbers never go back; `stats.documents` counts the documents visited;
// a failure is a CommandError naming the file. Compressed here, the file must give exactly the
// documents, malformed count and uncompressed size of the plain file.
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "provenance/corpus_reader.h"

namespace {

[[noreturn]] void Fail(const char* what, const std::string& detail = "") {
  std::fprintf(stderr, "corpus_reader_fuzz: %s %s\n", what, detail.c_str());
  __builtin_trap();
}

std::string Gzip(std::string_view in) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) Fail("deflateInit2");
  std::string out(deflateBound(&z, in.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) Fail("deflate");
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string Zstd(std::string_view in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  const size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  if (ZSTD_isError(n)) Fail("ZSTD_compress");
  out.resize(n);
  return out;
}

struct Read {
  bool ok = false;
  std::string error;
  std::vector<std::string> documents;  // text, '\0', id, '\0', line
  sluice::CorpusStats stats;
};

volatile size_t g_sink;

Read ReadFile(const std::string& path, bool whole_files) {
  Read read;
  uint64_t last_line = 0;
  sluice::CorpusOptions options;
  options.whole_files = whole_files;
  auto visit = [&](const sluice::CorpusDocument& doc) {
    size_t sum = 0;
    for (char c : doc.text) sum += static_cast<unsigned char>(c);
    for (char c : doc.id) sum += static_cast<unsigned char>(c);
    g_sink = sum;
    if (doc.file != path) Fail("a document names another file", std::string(doc.file));
    if (doc.line < last_line) Fail("line numbers go back");
    last_line = doc.line;
    std::string d(doc.text);
    d += '\0';
    d += doc.id;
    d += '\0';
    d += std::to_string(doc.line);
    read.documents.push_back(std::move(d));
    return true;
  };
  sluice::Status s = sluice::ReadCorpus(path, options, visit, read.stats, [](uint64_t) {});
  read.ok = s.ok();
  if (!read.ok) {
    read.error = s.message();
    if (read.error.find(path) == std::string::npos) Fail("an error that does not name the file", read.error);
  }
  if (read.stats.documents != read.documents.size()) Fail("stats.documents is not the documents visited");
  return read;
}

void WriteFile(const std::string& path, std::string_view bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) Fail("cannot write", path);
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) Fail("short write", path);
  std::fclose(f);
}

const std::string& Dir() {
  static const std::string dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("corpus_reader_fuzz." + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d.string();
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const unsigned choice = data[0];
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const char* ext = choice % 3 == 0 ? ".jsonl" : choice % 3 == 1 ? ".csv" : ".txt";
  const unsigned encoding = choice / 3 % 5;
  const bool whole_files = choice / 15 % 2 == 1;
  const std::string plain = Dir() + "/corpus" + ext;

  if (encoding >= 3) {  // the bytes as a compressed file, most often corrupt
    const std::string path = plain + (encoding == 3 ? ".gz" : ".zst");
    WriteFile(path, body);
    const Read read = ReadFile(path, whole_files);
    if (read.ok && read.stats.bytes != body.size()) Fail("stats.bytes is not the file's size");
    return 0;
  }
  WriteFile(plain, body);
  const Read want = ReadFile(plain, whole_files);
  // Only a CSV file without a header or without a text column fails when plain.
  if (!want.ok && choice % 3 != 1) Fail("a plain file failed", want.error);
  if (want.ok && want.stats.uncompressed_bytes != body.size()) Fail("uncompressed_bytes is not the plain file's size");
  if (encoding == 0) return 0;
  const std::string path = plain + (encoding == 1 ? ".gz" : ".zst");
  WriteFile(path, encoding == 1 ? Gzip(body) : Zstd(body));
  const Read got = ReadFile(path, whole_files);
  if (got.ok != want.ok) Fail("compressed, the file fails where the plain one did not, or the reverse", got.error);
  if (got.documents != want.documents) Fail("compressed, the documents differ from the plain file's");
  if (got.stats.malformed != want.stats.malformed || got.stats.uncompressed_bytes != want.stats.uncompressed_bytes) {
    Fail("compressed, the counts differ from the plain file's");
  }
  return 0;
}
