// Feeds arbitrary bytes to the fingerprint: NormalizeText must equal the plain reference
// (tests/provenance/fingerprint_reference.cc) byte for byte; its output must be words of valid
// UTF-8 without ASCII separators or uppercase ASCII, joined by single spaces; Fingerprint must
// not crash and must be the (reference) winnowing of the shingle hashes of that output; and
// the input's lines fingerprinted together must each get their own fingerprint.
#include <unicode/utf8.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "provenance/fingerprint.h"
#include "provenance/fingerprint_reference.h"

namespace {

void PrintHex(const char* label, std::string_view s) {
  std::fprintf(stderr, "%s (%zu bytes):", label, s.size());
  for (unsigned char b : s) std::fprintf(stderr, " %02X", b);
  std::fprintf(stderr, "\n");
}

[[noreturn]] void Fail(const char* what, std::string_view input, std::string_view got, std::string_view want) {
  std::fprintf(stderr, "fingerprint_fuzz: %s\n", what);
  PrintHex("input", input);
  PrintHex("NormalizeText", got);
  PrintHex("reference", want);
  __builtin_trap();
}

// A word byte: UTF-8 of a letter, digit or mark; never ASCII punctuation, space or uppercase.
bool BadAsciiByte(unsigned char b) {
  if (b >= 0x80) return false;
  return !((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9'));
}

bool ValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const int32_t n = static_cast<int32_t>(s.size());
  for (int32_t k = 0; k < n;) {
    UChar32 c;
    U8_NEXT(p, k, n, c);
    if (c < 0) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string got = sluice::NormalizeText(text);
  const std::string want = sluice::reference::ReferenceNormalizeText(text);
  if (got != want) Fail("NormalizeText differs from the reference", text, got, want);

  if (!got.empty() && (got.front() == ' ' || got.back() == ' ')) Fail("leading or trailing space", text, got, want);
  if (got.find("  ") != std::string::npos) Fail("double space", text, got, want);
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] != ' ' && BadAsciiByte(static_cast<unsigned char>(got[i]))) {
      Fail("ASCII separator or uppercase inside a word", text, got, want);
    }
  }
  if (!ValidUtf8(got)) Fail("output is not valid UTF-8", text, got, want);

  const std::vector<uint64_t> shingles = sluice::ShingleHashes(got);
  const std::vector<uint64_t> fingerprint = sluice::Fingerprint(text);
  if (fingerprint != sluice::reference::ReferenceWinnow(shingles)) {
    Fail("Fingerprint differs from ReferenceWinnow(ShingleHashes(NormalizeText))", text, got, want);
  }
  if (fingerprint.empty() != got.empty()) Fail("an empty fingerprint for words, or the reverse", text, got, want);

  // The input's lines as documents fingerprinted together (AppendFingerprints): each must get
  // exactly its own fingerprint.
  std::string joined(text);
  joined += '\n';
  std::vector<std::string_view> lines;
  for (size_t start = 0, nl; start < text.size() + 1; start = nl + 1) {
    nl = joined.find('\n', start);
    lines.push_back(std::string_view(joined).substr(start, nl - start));
  }
  std::vector<uint64_t> hashes;
  std::vector<uint32_t> ends;
  sluice::AppendFingerprints(lines, hashes, ends);
  for (size_t d = 0; d < lines.size(); ++d) {
    const std::vector<uint64_t> own(hashes.begin() + (d == 0 ? 0 : ends[d - 1]), hashes.begin() + ends[d]);
    if (own != sluice::Fingerprint(lines[d])) Fail("AppendFingerprints differs from Fingerprint of a line", lines[d], "", "");
  }
  return 0;
}
