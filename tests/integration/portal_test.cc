// The portal's files served by the real server (api/portal_files.h): / redirects, /portal/
// serves index.html with its headers, and no raw request path reaches a file outside the web
// directory, a hidden file or a symbolic link, whatever it spells.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "harness.h"

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

int StatusOf(const std::string& raw) {
  // "HTTP/1.1 404 Not Found\r\n..."
  if (raw.size() < 12 || raw.compare(0, 5, "HTTP/") != 0) return 0;
  return std::stoi(raw.substr(9, 3));
}

class PortalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(server_.data_dir()).parent_path() / ("portal-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "web" / "assets");
    Write(dir_ / "secret.txt", "SECRET-OUTSIDE-THE-WEB-DIR");
    Write(dir_ / "web" / "index.html", "<!doctype html><title>portal under test</title>");
    Write(dir_ / "web" / "assets" / "app-9f8e.js", "export const x = 1;");
    Write(dir_ / "web" / ".hidden", "SECRET-HIDDEN");
    fs::create_symlink(dir_ / "secret.txt", dir_ / "web" / "link.txt");
    Write(dir_ / "sluice.toml", "[portal]\ndir = \"" + (dir_ / "web").string() + "\"\n");
    server_.Start({"--config", (dir_ / "sluice.toml").string()});
  }
  void TearDown() override {
    server_.Stop();
    fs::remove_all(dir_);
  }
  SluiceServer server_;
  fs::path dir_;
};

TEST_F(PortalTest, RootRedirectsAndIndexHasItsHeaders) {
  HttpResponse root = server_.Get("/", "");
  EXPECT_EQ(root.status, 302);
  EXPECT_EQ(root.headers["location"], "/portal/");
  for (const char* path : {"/portal/", "/portal", "/portal/index.html"}) {
    HttpResponse r = server_.Get(path, "");
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, "<!doctype html><title>portal under test</title>") << path;
    EXPECT_EQ(r.headers["content-type"], "text/html; charset=utf-8");
    EXPECT_EQ(r.headers["cache-control"], "no-cache");
    EXPECT_EQ(r.headers["x-content-type-options"], "nosniff");
    EXPECT_NE(r.headers["content-security-policy"].find("default-src 'self'"), std::string::npos);
  }
  HttpResponse js = server_.Get("/portal/assets/app-9f8e.js", "");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.headers["content-type"], "text/javascript; charset=utf-8");
  EXPECT_EQ(js.headers["cache-control"], "public, max-age=31536000, immutable");
  HttpResponse missing = server_.Get("/portal/nope.js", "");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.headers["content-type"], "application/problem+json");
  EXPECT_EQ(server_.Request("POST", "/portal/", "", "{}").status, 405);
}

TEST_F(PortalTest, RawTraversalsAreRefused) {
  const std::vector<std::string> targets = {
      "/portal/../secret.txt", "/portal/assets/../../secret.txt", "/portal/%2e%2e/secret.txt", "/portal/%2E%2E/secret.txt",
      "/portal/.%2e/secret.txt", "/portal/..%2fsecret.txt", "/portal/..%2Fsecret.txt", "/portal/assets%2f..%2f..%2fsecret.txt",
      "/portal/%252e%252e/secret.txt", "/portal/..%5csecret.txt", "/portal/..\\secret.txt", "/portal/%00",
      "/portal/index.html%00.js", "/portal//secret.txt", "/portal/.hidden", "/portal/link.txt", "/portal/./index.html",
      "/portal/....//secret.txt", "/portal/..;/secret.txt", "/portal/%c0%ae%c0%ae/secret.txt", "/portal/" + dir_.string() + "/secret.txt",
      "/portal/assets/..", "/portal/..",
  };
  for (const std::string& target : targets) {
    std::string raw = server_.Raw("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    int status = StatusOf(raw);
    EXPECT_TRUE(status == 400 || status == 404) << target << " answered " << raw.substr(0, 200);
    EXPECT_EQ(raw.find("SECRET"), std::string::npos) << target;
  }
  // The server still serves after all of them.
  EXPECT_EQ(server_.Get("/portal/", "").status, 200);
}

// Without [portal] dir the server serves the source tree's web/dist (the built portal).
TEST(PortalDefault, ServesTheBuiltPortal) {
  SluiceServer server;
  server.Start();
  HttpResponse r = server.Get("/portal/", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Sluice portal"), std::string::npos);
  EXPECT_NE(r.body.find("/portal/assets/"), std::string::npos);
  EXPECT_EQ(r.body.find("<script>"), std::string::npos) << "no inline script (the CSP refuses it)";
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace sluice::testing
