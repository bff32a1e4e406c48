#include "ledger/checkpoint.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace sluice {
namespace {

const std::string kDash = "\xE2\x80\x94";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-ckpt-XXXXXX";
    dir_ = mkdtemp(tmpl);
    key_path_ = dir_ + "/checkpoint.key";
    auto signer = Signer::LoadOrCreate(key_path_, "sluice.test/ledger");
    ASSERT_TRUE(signer.ok()) << signer.status().message();
    signer_ = std::move(*signer);
    checkpoint_.origin = "sluice.test/ledger";
    checkpoint_.size = 1234;
    for (size_t i = 0; i < checkpoint_.root.size(); ++i) checkpoint_.root[i] = static_cast<uint8_t>(i * 7);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Signs arbitrary note text with the key file, as another implementation would.
  std::string SignText(const std::string& body) {
    std::string pem = ReadFile(key_path_);
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    uint8_t sig[64];
    size_t len = sizeof sig;
    EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key);
    EVP_DigestSign(ctx, sig, &len, reinterpret_cast<const uint8_t*>(body.data()), body.size());
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    // The key id from the verifier key: name+<hex>+...
    std::string vkey = signer_->VerifierKey();
    uint32_t id = static_cast<uint32_t>(std::stoul(vkey.substr(vkey.find('+') + 1, 8), nullptr, 16));
    std::string blob = {static_cast<char>(id >> 24), static_cast<char>(id >> 16), static_cast<char>(id >> 8),
                        static_cast<char>(id)};
    blob.append(reinterpret_cast<const char*>(sig), 64);
    return body + "\n" + kDash + " sluice.test/ledger " + Base64Encode(blob) + "\n";
  }

  std::string RootBase64() const { return Base64Encode(std::string(checkpoint_.root.begin(), checkpoint_.root.end())); }

  void ExpectRejected(const std::string& note, const std::string& why) {
    auto v = VerifyCheckpoint(note, signer_->VerifierKey());
    ASSERT_FALSE(v.ok()) << note;
    EXPECT_NE(v.status().message().find(why), std::string::npos) << v.status().message();
  }

  std::string dir_, key_path_;
  std::unique_ptr<Signer> signer_;
  Checkpoint checkpoint_;
};

TEST(Base64, Rfc4648Vectors) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    auto decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(*Base64Decode(Base64Encode(all)), all);
  EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");
}

TEST(Base64, RejectsNonCanonicalText) {
  for (const char* bad : {"Zg", "Zg=", "Zh==", "Zm9=", "Zm9v\n", " Zm9v", "Z===", "====", "Zg==Zg==", "Zm 9", "Zm-_"}) {
    auto r = Base64Decode(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
}

TEST_F(CheckpointTest, BodyFormat) {
  EXPECT_EQ(CheckpointBody(checkpoint_), "sluice.test/ledger\n1234\n" + RootBase64() + "\n");
}

TEST_F(CheckpointTest, SignVerifyRoundTrip) {
  std::string note = signer_->Sign(checkpoint_).value();
  std::string body = CheckpointBody(checkpoint_);
  ASSERT_EQ(note.substr(0, body.size() + 1), body + "\n");
  std::string sig_line = note.substr(body.size() + 1);
  EXPECT_EQ(sig_line.substr(0, kDash.size() + 20), kDash + " sluice.test/ledger ");
  EXPECT_EQ(sig_line.back(), '\n');
  EXPECT_EQ(Base64Decode(sig_line.substr(kDash.size() + 20, sig_line.size() - kDash.size() - 21))->size(), 4u + 64u);

  auto v = VerifyCheckpoint(note, signer_->VerifierKey());
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->origin, checkpoint_.origin);
  EXPECT_EQ(v->size, checkpoint_.size);
  EXPECT_EQ(v->root, checkpoint_.root);

  Checkpoint empty{.origin = "o", .size = 0, .root = EmptyTreeHash()};
  auto e = VerifyCheckpoint(signer_->Sign(empty).value(), signer_->VerifierKey());
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(e->size, 0u);
}

TEST_F(CheckpointTest, VerifierKeyFormat) {
  std::string vkey = signer_->VerifierKey();
  std::smatch m;
  ASSERT_TRUE(std::regex_match(vkey, m, std::regex(R"(sluice\.test/ledger\+([0-9a-f]{8})\+([A-Za-z0-9+/]{44}))"))) << vkey;
  std::string key = *Base64Decode(m[2].str());
  ASSERT_EQ(key.size(), 33u);
  EXPECT_EQ(key[0], '\x01');
  // key id = SHA-256(name || "\n" || 0x01 || public key)[:4], big-endian hex.
  std::string id_input = "sluice.test/ledger\n" + key;
  uint8_t digest[32];
  SHA256(reinterpret_cast<const uint8_t*>(id_input.data()), id_input.size(), digest);
  char hex[9];
  std::snprintf(hex, sizeof hex, "%02x%02x%02x%02x", digest[0], digest[1], digest[2], digest[3]);
  EXPECT_EQ(m[1].str(), hex);
}

TEST_F(CheckpointTest, KeyFileIsPrivateAndReloads) {
  struct stat st;
  ASSERT_EQ(::stat(key_path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_NE(ReadFile(key_path_).find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  auto again = Signer::LoadOrCreate(key_path_, "sluice.test/ledger");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ((*again)->VerifierKey(), signer_->VerifierKey());
  // A note signed by the reloaded key verifies with the first verifier key.
  EXPECT_TRUE(VerifyCheckpoint((*again)->Sign(checkpoint_).value(), signer_->VerifierKey()).ok());
}

TEST_F(CheckpointTest, LoadRejectsBadKeyFilesAndNames) {
  EXPECT_FALSE(Signer::LoadOrCreate(dir_ + "/k2", "has space").ok());
  EXPECT_FALSE(Signer::LoadOrCreate(dir_ + "/k2", "has+plus").ok());
  EXPECT_FALSE(Signer::LoadOrCreate(dir_ + "/k2", "").ok());
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/k2"));

  std::ofstream(dir_ + "/garbage.key") << "not a key\n";
  auto g = Signer::LoadOrCreate(dir_ + "/garbage.key", "n");
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("not a PEM private key"), std::string::npos) << g.status().message();

  EVP_PKEY* ec = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  ASSERT_NE(ec, nullptr);
  FILE* f = std::fopen((dir_ + "/ec.key").c_str(), "w");
  PEM_write_PrivateKey(f, ec, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  EVP_PKEY_free(ec);
  auto e = Signer::LoadOrCreate(dir_ + "/ec.key", "n");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("not an Ed25519 key"), std::string::npos) << e.status().message();

  auto missing_dir = Signer::LoadOrCreate(dir_ + "/no/such/dir/key", "n");
  EXPECT_FALSE(missing_dir.ok());
}

TEST_F(CheckpointTest, TamperingIsRejected) {
  std::string note = signer_->Sign(checkpoint_).value();
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string n = note;
    n.replace(n.find(from), from.size(), to);
    return n;
  };
  ExpectRejected(replace("\n1234\n", "\n1235\n"), "does not verify");
  ExpectRejected(replace("sluice.test/ledger\n", "sluice.test/ledgeR\n"), "does not verify");
  std::string root = RootBase64();
  std::string other_root = root;
  other_root[3] = other_root[3] == 'A' ? 'B' : 'A';
  ExpectRejected(replace(root, other_root), "does not verify");
  // Flip one bit of the signature itself.
  size_t sig_at = note.rfind(' ') + 1;
  std::string blob = *Base64Decode(note.substr(sig_at, note.size() - sig_at - 1));
  blob[40] ^= 0x04;
  ExpectRejected(note.substr(0, sig_at) + Base64Encode(blob) + "\n", "does not verify");
  // Structure.
  ExpectRejected(replace("\n\n", "\n"), "no blank line");
  ExpectRejected(note.substr(0, note.size() - 1), "newline");
  ExpectRejected(CheckpointBody(checkpoint_) + "\n", "no signature lines");
  ExpectRejected(replace(kDash, "-"), "malformed signature line");
}

TEST_F(CheckpointTest, WrongKeyIsRejected) {
  std::string note = signer_->Sign(checkpoint_).value();
  auto other = Signer::LoadOrCreate(dir_ + "/other.key", "sluice.test/ledger");  // same name, new key
  ASSERT_TRUE(other.ok());
  auto v = VerifyCheckpoint(note, (*other)->VerifierKey());
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("no signature by key 'sluice.test/ledger'"), std::string::npos) << v.status().message();

  auto renamed = Signer::LoadOrCreate(key_path_, "another.name");  // same key, other name
  ASSERT_TRUE(renamed.ok());
  EXPECT_FALSE(VerifyCheckpoint(note, (*renamed)->VerifierKey()).ok());

  // A note cosigned by another key verifies with either key.
  std::string cosigned = note + (*other)->Sign(checkpoint_).value().substr(CheckpointBody(checkpoint_).size() + 1);
  EXPECT_TRUE(VerifyCheckpoint(cosigned, signer_->VerifierKey()).ok());
  EXPECT_TRUE(VerifyCheckpoint(cosigned, (*other)->VerifierKey()).ok());
}

TEST_F(CheckpointTest, MalformedVerifierKeysAreRejected) {
  std::string note = signer_->Sign(checkpoint_).value();
  std::string vkey = signer_->VerifierKey();
  std::string wrong_id = vkey;
  size_t id_at = vkey.find('+') + 1;
  wrong_id[id_at] = wrong_id[id_at] == '0' ? '1' : '0';
  for (const std::string& bad : {std::string(""), std::string("name"), std::string("name+1234+AAAA"), wrong_id,
                                 vkey.substr(0, vkey.size() - 4), vkey + "AAAA"}) {
    auto v = VerifyCheckpoint(note, bad);
    ASSERT_FALSE(v.ok()) << bad;
    EXPECT_NE(v.status().message().find("verifier key"), std::string::npos) << v.status().message();
  }
}

TEST_F(CheckpointTest, BodyParsing) {
  std::string root = RootBase64();
  // Extension lines after the root are signed but ignored.
  auto ext = VerifyCheckpoint(SignText("sluice.test/ledger\n7\n" + root + "\nextension: yes\n"), signer_->VerifierKey());
  ASSERT_TRUE(ext.ok()) << ext.status().message();
  EXPECT_EQ(ext->size, 7u);
  EXPECT_EQ(ext->root, checkpoint_.root);
  auto big = VerifyCheckpoint(SignText("o\n18446744073709551615\n" + root + "\n"), signer_->VerifierKey());
  ASSERT_TRUE(big.ok()) << big.status().message();
  EXPECT_EQ(big->size, UINT64_MAX);

  ExpectRejected(SignText("o\n07\n" + root + "\n"), "leading zeros");
  ExpectRejected(SignText("o\n-7\n" + root + "\n"), "not a decimal number");
  ExpectRejected(SignText("o\n7x\n" + root + "\n"), "not a decimal number");
  ExpectRejected(SignText("o\n18446744073709551616\n" + root + "\n"), "below 2^64");
  ExpectRejected(SignText("o\n7\n" + root.substr(4) + "\n"), "not a base64 SHA-256 hash");
  ExpectRejected(SignText("o\n7\n"), "origin, size and root");
  ExpectRejected(SignText("\n7\n" + root + "\n"), "empty origin");
}

}  // namespace
}  // namespace sluice
