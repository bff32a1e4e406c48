#include "ledger/checkpoint.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "core/parse.h"

namespace sluice {

namespace {

constexpr std::string_view kDash = "\xE2\x80\x94";  // U+2014, as in C2SP signed-note
constexpr uint8_t kEd25519Type = 0x01;              // signed-note signature type byte
constexpr size_t kPublicKeyBytes = 32;
constexpr size_t kSignatureBytes = 64;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

Status Bad(std::string detail) { return CommandError("checkpoint: " + std::move(detail)); }

// Key names are one token of the signature line: no spaces, no '+' (the verifier key's
// separator), nothing unprintable.
bool ValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name)
    if (c <= 0x20 || c == '+' || c == 0x7f) return false;
  return true;
}

uint32_t KeyId(std::string_view name, const uint8_t* public_key) {
  std::string data(name);
  data += '\n';
  data += static_cast<char>(kEd25519Type);
  data.append(reinterpret_cast<const char*>(public_key), kPublicKeyBytes);
  uint8_t digest[32];
  SHA256(reinterpret_cast<const uint8_t*>(data.data()), data.size(), digest);
  return (uint32_t{digest[0]} << 24) | (uint32_t{digest[1]} << 16) | (uint32_t{digest[2]} << 8) | digest[3];
}

std::string KeyIdBytes(uint32_t id) {
  return {static_cast<char>(id >> 24), static_cast<char>(id >> 16), static_cast<char>(id >> 8), static_cast<char>(id)};
}

bool VerifyEd25519(const uint8_t* public_key, std::string_view message, std::string_view signature) {
  PkeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key, kPublicKeyBytes));
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!key || !ctx || signature.size() != kSignatureBytes) return false;
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const uint8_t*>(signature.data()), signature.size(),
                          reinterpret_cast<const uint8_t*>(message.data()), message.size()) == 1;
}

class Ed25519Signer final : public Signer {
 public:
  Ed25519Signer(PkeyPtr key, std::string name, std::array<uint8_t, kPublicKeyBytes> public_key)
      : key_(std::move(key)), name_(std::move(name)), public_key_(public_key), id_(KeyId(name_, public_key_.data())) {}

  Result<std::string> Sign(const Checkpoint& checkpoint) const override {
    std::string body = CheckpointBody(checkpoint);
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    uint8_t sig[kSignatureBytes];
    size_t sig_len = sizeof sig;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
        EVP_DigestSign(ctx.get(), sig, &sig_len, reinterpret_cast<const uint8_t*>(body.data()), body.size()) != 1 ||
        sig_len != kSignatureBytes)
      return InternalError("checkpoint: Ed25519 signing failed in OpenSSL");
    std::string blob = KeyIdBytes(id_) + std::string(reinterpret_cast<const char*>(sig), sig_len);
    return body + "\n" + std::string(kDash) + " " + name_ + " " + Base64Encode(blob) + "\n";
  }

  std::string VerifierKey() const override {
    char id[9];
    std::snprintf(id, sizeof id, "%08x", id_);
    std::string key(1, static_cast<char>(kEd25519Type));
    key.append(reinterpret_cast<const char*>(public_key_.data()), public_key_.size());
    return name_ + "+" + id + "+" + Base64Encode(key);
  }

 private:
  PkeyPtr key_;
  std::string name_;
  std::array<uint8_t, kPublicKeyBytes> public_key_;
  uint32_t id_;
};

// *open_errno: why the file could not be opened (ENOENT: create it), else 0.
Result<PkeyPtr> ReadKey(const std::string& path, int* open_errno) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  *open_errno = fd < 0 ? errno : 0;
  if (fd < 0) return CommandError(path + ": " + std::strerror(*open_errno));
  std::string pem;
  char buf[4096];
  for (;;) {
    ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      int err = errno;
      ::close(fd);
      return CommandError(path + ": " + std::strerror(err));
    }
    if (r == 0) break;
    pem.append(buf, static_cast<size_t>(r));
    if (pem.size() > (1 << 16)) break;  // a key is a few hundred bytes
  }
  ::close(fd);
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return CommandError(path + ": not a PEM private key");
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) return CommandError(path + ": not an Ed25519 key");
  return key;
}

// *open_errno: EEXIST when another process created the file first, else 0.
Result<PkeyPtr> CreateKey(const std::string& path, int* open_errno) {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!key || !bio || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return InternalError("cannot generate an Ed25519 key");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);

  // O_EXCL: never replace a key someone else just wrote; 0600 from the first byte.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  *open_errno = fd < 0 ? errno : 0;
  if (fd < 0) return CommandError(path + ": cannot create: " + std::strerror(*open_errno));
  std::string_view rest(data, static_cast<size_t>(len));
  int err = 0;
  while (!rest.empty() && err == 0) {
    ssize_t w = ::write(fd, rest.data(), rest.size());
    if (w < 0 && errno == EINTR) continue;
    if (w < 0)
      err = errno;
    else
      rest.remove_prefix(static_cast<size_t>(w));
  }
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  ::close(fd);
  if (err != 0) {
    ::unlink(path.c_str());
    return CommandError(path + ": cannot write: " + std::strerror(err));
  }
  // The new name must survive a crash too.
  std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return key;
}

// Splits "a\nb\n" into {"a", "b"}; the text must end with a newline.
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  return lines;
}

struct VerifierKeyParts {
  std::string name;
  uint32_t id = 0;
  std::array<uint8_t, kPublicKeyBytes> public_key{};
};

Result<VerifierKeyParts> ParseVerifierKey(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Bad("verifier key '" + std::string(text) + "': " + std::string(why));
  };
  size_t plus = text.find('+');
  if (plus == std::string_view::npos || plus + 10 > text.size() || text[plus + 9] != '+')
    return bad("expected <name>+<8 hex digits>+<base64 key>");
  VerifierKeyParts parts;
  parts.name = std::string(text.substr(0, plus));
  if (!ValidKeyName(parts.name)) return bad("invalid key name");
  std::string_view hex = text.substr(plus + 1, 8);
  auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), parts.id, 16);
  if (ec != std::errc() || end != hex.data() + hex.size()) return bad("key id is not 8 hex digits");
  auto key = Base64Decode(text.substr(plus + 10));
  if (!key) return bad("key is not base64");
  if (key->size() != 1 + kPublicKeyBytes || static_cast<uint8_t>((*key)[0]) != kEd25519Type)
    return bad("not an Ed25519 key (type 0x01 and 32 bytes)");
  std::memcpy(parts.public_key.data(), key->data() + 1, kPublicKeyBytes);
  if (KeyId(parts.name, parts.public_key.data()) != parts.id) return bad("key id does not match the name and key");
  return parts;
}

Result<Checkpoint> ParseBody(std::string_view body) {
  std::vector<std::string_view> lines = Lines(body);
  if (lines.size() < 3) return Bad("body needs origin, size and root lines");
  // Lines after the root are extensions (tlog-checkpoint): signed, but not ours to read.
  Checkpoint c;
  c.origin = std::string(lines[0]);
  if (c.origin.empty()) return Bad("empty origin line");
  std::string_view size = lines[1];
  if (size.empty() || (size.size() > 1 && size[0] == '0'))
    return Bad("size '" + std::string(size) + "' is not a decimal number without leading zeros");
  const auto parsed = ParseInt<uint64_t>(size);
  if (!parsed.ok() || size[0] == '-') return Bad("size '" + std::string(size) + "' is not a decimal number below 2^64");
  c.size = parsed.value;
  auto root = Base64Decode(lines[2]);
  if (!root || root->size() != c.root.size()) return Bad("root '" + std::string(lines[2]) + "' is not a base64 SHA-256 hash");
  std::memcpy(c.root.data(), root->data(), c.root.size());
  return c;
}

}  // namespace

Result<std::unique_ptr<Signer>> Signer::LoadOrCreate(const std::string& path, std::string key_name) {
  if (!ValidKeyName(key_name))
    return CommandError("checkpoint key name '" + key_name + "' must be non-empty, without spaces or '+'");
  int open_errno = 0;
  Result<PkeyPtr> key = ReadKey(path, &open_errno);
  if (!key && open_errno == ENOENT) {
    key = CreateKey(path, &open_errno);
    if (!key && open_errno == EEXIST) key = ReadKey(path, &open_errno);  // another process won the race
  }
  if (!key) return key.status();
  std::array<uint8_t, kPublicKeyBytes> public_key{};
  size_t len = public_key.size();
  if (EVP_PKEY_get_raw_public_key(key->get(), public_key.data(), &len) != 1 || len != public_key.size())
    return CommandError(path + ": cannot read the Ed25519 public key");
  return std::unique_ptr<Signer>(std::make_unique<Ed25519Signer>(std::move(*key), std::move(key_name), public_key));
}

std::string CheckpointBody(const Checkpoint& checkpoint) {
  std::string root(reinterpret_cast<const char*>(checkpoint.root.data()), checkpoint.root.size());
  return checkpoint.origin + "\n" + std::to_string(checkpoint.size) + "\n" + Base64Encode(root) + "\n";
}

Result<Checkpoint> VerifyCheckpoint(std::string_view note, std::string_view verifier_key) {
  auto key = ParseVerifierKey(verifier_key);
  if (!key) return key.status();
  // signed-note: text, one blank line, then signature lines; everything ends in a newline.
  size_t blank = note.find("\n\n");
  if (blank == std::string_view::npos) return Bad("no blank line between the body and the signatures");
  if (note.back() != '\n') return Bad("the note does not end with a newline");
  std::string_view body = note.substr(0, blank + 1);
  std::vector<std::string_view> signatures = Lines(note.substr(blank + 2));
  if (signatures.empty()) return Bad("no signature lines");

  bool found = false;
  for (std::string_view line : signatures) {
    std::string prefix = std::string(kDash) + " ";
    if (line.substr(0, prefix.size()) != prefix) return Bad("malformed signature line '" + std::string(line) + "'");
    line.remove_prefix(prefix.size());
    size_t space = line.find(' ');
    if (space == std::string_view::npos || space == 0)
      return Bad("malformed signature line (expected a key name and a signature)");
    std::string_view name = line.substr(0, space);
    auto blob = Base64Decode(line.substr(space + 1));
    if (!blob || blob->size() < 5) return Bad("signature by '" + std::string(name) + "' is not base64 of a key id and signature");
    // Other keys may cosign the note: skip signatures that are not by ours.
    if (name != key->name || blob->substr(0, 4) != KeyIdBytes(key->id)) continue;
    found = true;
    if (!VerifyEd25519(key->public_key.data(), body, std::string_view(*blob).substr(4)))
      return Bad("signature by '" + key->name + "' does not verify");
  }
  if (!found) return Bad("no signature by key '" + key->name + "'");
  return ParseBody(body);
}

namespace {
constexpr char kBase64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}
}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (uint32_t{static_cast<uint8_t>(bytes[i])} << 16) | (uint32_t{static_cast<uint8_t>(bytes[i + 1])} << 8) |
                 static_cast<uint8_t>(bytes[i + 2]);
    out += kBase64Alphabet[v >> 18];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += kBase64Alphabet[(v >> 6) & 63];
    out += kBase64Alphabet[v & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t{static_cast<uint8_t>(bytes[i])} << 16;
    if (rest == 2) v |= uint32_t{static_cast<uint8_t>(bytes[i + 1])} << 8;
    out += kBase64Alphabet[v >> 18];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += rest == 2 ? kBase64Alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Strict (RFC 4648 section 3): padded to a multiple of 4, no whitespace, padding only at
// the end, and the unused bits of the last symbol zero, so each byte string has exactly
// one accepted encoding.
Result<std::string> Base64Decode(std::string_view text) {
  auto bad = [](std::string why) { return CommandError("invalid base64: " + why); };
  if (text.size() % 4 != 0) return bad("length is not a multiple of 4");
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') pad = text[text.size() - 2] == '=' ? 2 : 1;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    size_t symbols = last ? 4 - pad : 4;
    uint32_t v = 0;
    for (size_t j = 0; j < 4; ++j) {
      int d = j < symbols ? Base64Value(text[i + j]) : 0;
      if (d < 0) return bad("unexpected character at offset " + std::to_string(i + j));
      v = (v << 6) | static_cast<uint32_t>(d);
    }
    out += static_cast<char>(v >> 16);
    if (symbols >= 3) out += static_cast<char>(v >> 8);
    if (symbols == 4) out += static_cast<char>(v);
    if ((symbols == 2 && (v & 0xffff) != 0) || (symbols == 3 && (v & 0xff) != 0))
      return bad("non-zero bits after the last byte");
  }
  return out;
}

}  // namespace sluice
