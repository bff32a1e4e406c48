// Integration: `sluice users set-password` (issue 15, signing in), the real binary fed on its
// standard input, against SQLite and PostgreSQL. What it stored is read back from the store
// and checked with VerifyPassword (access/passwords.h), as the sign-in page will check it.
#include <gtest/gtest.h>

#include "access/passwords.h"
#include "harness.h"
#include "store/store.h"
#include "support/postgres_server.h"

namespace sluice::testing {
namespace {

constexpr char kAlice[] = R"({"id":"900001","username":"Alice","name":"Alice","created_at":"2020-01-01T00:00:00.000Z"})"
                          "\n";

// The password hash the store holds for user 900001 ("" when none).
std::string StoredHash(const std::string& data, const std::string& store_url) {
  auto store = OpenStore(StoreOptions{.url = store_url, .data_dir = data, .create = false});
  if (!store.ok()) return "open failed: " + store.status().message();
  auto record = (*store)->UserPassword(900001);
  if (!record.ok()) return "read failed: " + record.status().message();
  return *record ? (*record)->hash : "";
}

std::vector<std::string> SetPassword(const SluiceServer& s, const std::string& username, const std::string& store_url) {
  std::vector<std::string> args{"users", "set-password", "--data", s.data_dir(), "--username", username};
  if (!store_url.empty()) args.insert(args.end(), {"--store", store_url});
  return args;
}

TEST(UsersCli, SetPasswordReadsOneLineFromStdinAndStoresOnlyItsHash) {
  SluiceServer s;
  ASSERT_TRUE(s.Import(kAlice));
  auto r = RunSluice(SetPassword(s, "alice", ""), "correct horse battery staple\n");  // usernames: any case
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = boost::json::parse(r.out).as_object();
  EXPECT_EQ(Str(j, "user_id"), "900001");
  EXPECT_EQ(Str(j, "username"), "Alice");
  EXPECT_TRUE(j.at("password_set").as_bool());
  EXPECT_EQ(r.out.find("horse"), std::string::npos);
  EXPECT_EQ(r.err.find("horse"), std::string::npos);  // nothing echoed
  const std::string first = StoredHash(s.data_dir(), "");
  EXPECT_EQ(first.rfind("$argon2id$", 0), 0u) << first;
  EXPECT_TRUE(VerifyPassword("correct horse battery staple", first));
  EXPECT_FALSE(VerifyPassword("correct horse battery staple\n", first));  // the newline is not part of it

  // Replaced: "\r\n" ends the line too, and only the first line is read; "@name" is accepted.
  r = RunSluice(SetPassword(s, "@ALICE", ""), "second password\r\nthird line\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string second = StoredHash(s.data_dir(), "");
  EXPECT_TRUE(VerifyPassword("second password", second));
  EXPECT_FALSE(VerifyPassword("correct horse battery staple", second));

  // No newline at the end of the input: the whole input.
  r = RunSluice(SetPassword(s, "alice", ""), "no newline at the end");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(VerifyPassword("no newline at the end", StoredHash(s.data_dir(), "")));
}

TEST(UsersCli, RefusesAnEmptyOrShortPasswordAndAnUnknownUsername) {
  SluiceServer s;
  ASSERT_TRUE(s.Import(kAlice));
  for (const std::string input : {"", "\n", "\r\n"}) {
    auto r = RunSluice(SetPassword(s, "alice", ""), input);
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_EQ(r.err, "sluice: the password is empty\n");
    EXPECT_EQ(r.out, "");
  }
  auto short_one = RunSluice(SetPassword(s, "alice", ""), "seven77\n");
  EXPECT_EQ(short_one.exit_code, 1);
  EXPECT_EQ(short_one.err, "sluice: the password must be at least 8 characters\n");
  auto too_long = RunSluice(SetPassword(s, "alice", ""), std::string(5000, 'x') + "\n");
  EXPECT_EQ(too_long.exit_code, 1);
  EXPECT_EQ(too_long.err, "sluice: the password is longer than 1024 bytes\n");
  auto unknown = RunSluice(SetPassword(s, "nobody", ""), "a fine password\n");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.err, "sluice: no account has the username @nobody\n");
  EXPECT_EQ(StoredHash(s.data_dir(), ""), "");  // none of these wrote anything

  auto no_username = RunSluice({"users", "set-password", "--data", s.data_dir()}, "a fine password\n");
  EXPECT_NE(no_username.exit_code, 0);
  EXPECT_NE(no_username.err.find("--username is required"), std::string::npos) << no_username.err;
  auto help = RunSluice({"users", "set-password", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("standard input"), std::string::npos) << help.out;
}

TEST(UsersCli, SetPasswordAgainstPostgres) {
  auto url = test::SharedPostgres::NewDatabase();
  ASSERT_TRUE(url.ok()) << url.status().message();
  SluiceServer s(*url, 0, 0);
  ASSERT_TRUE(s.Import(kAlice));
  auto r = RunSluice(SetPassword(s, "alice", *url), "correct horse battery staple\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Str(boost::json::parse(r.out), "user_id"), "900001");
  const std::string hash = StoredHash(s.data_dir(), *url);
  EXPECT_TRUE(VerifyPassword("correct horse battery staple", hash)) << hash;
  auto unknown = RunSluice(SetPassword(s, "nobody", *url), "a fine password\n");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.err, "sluice: no account has the username @nobody\n");
}

}  // namespace
}  // namespace sluice::testing
