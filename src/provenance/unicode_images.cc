#include "provenance/unicode_images.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/utf16.h>

#include <cstring>
#include <stdexcept>

#include "provenance/byte_classes.h"

namespace sluice::fingerprint_detail {
namespace {

const UNormalizer2* NfkcCasefold() {
  static const UNormalizer2* norm = [] {
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2* n = unorm2_getNFKCCasefoldInstance(&err);
    // ICU's data is linked in; failing here means a broken installation, not bad input.
    if (U_FAILURE(err)) throw std::runtime_error("ICU NFKC_Casefold unavailable");
    return n;
  }();
  return norm;
}

}  // namespace

void AppendUtf8(UChar32 c, std::string& out) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

bool IsWordCodePoint(UChar32 c) {
  if (c < 0x80) return Cls(static_cast<unsigned char>(c)) == kAlnum;
  return (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_N_MASK | U_GC_M_MASK)) != 0;
}

const CodePointImage* ImageTable() {
  static const std::vector<CodePointImage> table = [] {
    std::vector<CodePointImage> t(kImageTableSize);
    const UNormalizer2* norm = NfkcCasefold();
    UChar src[2];
    UChar dst[32];
    for (UChar32 c = 0x80; c < kImageTableSize; ++c) {
      if (U_IS_SURROGATE(c) || !unorm2_hasBoundaryBefore(norm, c)) continue;
      int32_t len = 0;
      U16_APPEND_UNSAFE(src, len, c);
      UErrorCode err = U_ZERO_ERROR;
      int32_t m = unorm2_normalize(norm, src, len, dst, 32, &err);
      if (U_FAILURE(err)) continue;
      std::string utf8;
      int words = 0, others = 0;
      for (int32_t k = 0; k < m;) {
        UChar32 d;
        U16_NEXT(dst, k, m, d);
        if (IsWordCodePoint(d)) {
          ++words;
          AppendUtf8(d, utf8);
        } else {
          ++others;
        }
      }
      CodePointImage& e = t[c];
      if (words == 0) {
        e.kind = others == 0 ? CodePointImage::kNothing : CodePointImage::kSeparator;
      } else if (others == 0 && utf8.size() <= sizeof e.utf8) {
        e.kind = CodePointImage::kWord;
        e.len = static_cast<uint8_t>(utf8.size());
        std::memcpy(e.utf8, utf8.data(), utf8.size());
      }
    }
    return t;
  }();
  return table.data();
}

void IcuChunkNormalizer::Run(const unsigned char* p, size_t n, std::string& out) {
  src_.clear();
  for (size_t i = 0; i < n;) {
    if (p[i] < 0x80) {
      src_.push_back(p[i++]);
      continue;
    }
    UChar32 cp;
    int len = DecodeUtf8(p + i, n - i, &cp);
    if (len == 0) {
      ++i;  // invalid byte: dropped
      continue;
    }
    if (cp < 0x10000) {
      src_.push_back(static_cast<UChar>(cp));
    } else {
      src_.push_back(U16_LEAD(cp));
      src_.push_back(U16_TRAIL(cp));
    }
    i += len;
  }
  if (src_.empty()) return;
  if (dst_.size() < src_.size() * 2 + 16) dst_.resize(src_.size() * 2 + 16);
  UErrorCode err = U_ZERO_ERROR;
  int32_t m = unorm2_normalize(NfkcCasefold(), src_.data(), static_cast<int32_t>(src_.size()), dst_.data(),
                               static_cast<int32_t>(dst_.size()), &err);
  if (err == U_BUFFER_OVERFLOW_ERROR) {
    dst_.resize(m);
    err = U_ZERO_ERROR;
    m = unorm2_normalize(NfkcCasefold(), src_.data(), static_cast<int32_t>(src_.size()), dst_.data(),
                         static_cast<int32_t>(dst_.size()), &err);
  }
  if (U_FAILURE(err)) return;  // cannot happen for well-formed UTF-16 input
  bool in_word = false;
  for (int32_t k = 0; k < m;) {
    UChar32 cp;
    U16_NEXT(dst_.data(), k, m, cp);
    if (IsWordCodePoint(cp)) {
      if (!in_word && !out.empty()) out += ' ';
      in_word = true;
      AppendUtf8(cp, out);
    } else {
      in_word = false;
    }
  }
}

}  // namespace sluice::fingerprint_detail
