// The portal's path check and file table (api/portal_files.h): every tricky path is refused
// before any file is looked up, and only files read at load are ever served.
#include "api/portal_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace sluice {
namespace {

namespace fs = std::filesystem;

std::string Header(const ApiResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

TEST(PortalFileName, NamesIndexAndFiles) {
  EXPECT_EQ(*PortalFileName("/portal"), "index.html");
  EXPECT_EQ(*PortalFileName("/portal/"), "index.html");
  EXPECT_EQ(*PortalFileName("/portal/index.html"), "index.html");
  EXPECT_EQ(*PortalFileName("/portal/assets/index-2XB1x6bY.js"), "assets/index-2XB1x6bY.js");
  EXPECT_EQ(*PortalFileName("/portal/favicon.ico"), "favicon.ico");
  EXPECT_EQ(*PortalFileName("/portal/a_b-c.d"), "a_b-c.d");
}

TEST(PortalFileName, RefusesTrickyPaths) {
  const std::vector<std::string> bad = {
      "/portal/..", "/portal/../", "/portal/../etc/passwd", "/portal/assets/../../etc/passwd", "/portal/assets/..",
      "/portal/%2e%2e/etc/passwd", "/portal/%2E%2E/x", "/portal/.%2e/x", "/portal/%2e./x", "/portal/..%2fx",
      "/portal/..%2Fx", "/portal/assets%2f..%2f..%2fx", "/portal/%252e%252e/x", "/portal/..%5cx", "/portal/..\\x",
      "/portal/assets\\..\\..\\x", std::string("/portal/index.html\0.js", 22), "/portal/%00", "/portal/index.html%00",
      "/portal//etc/passwd", "/portal/assets//x.js", "/portal/assets/", "/portal/.hidden", "/portal/.", "/portal/./index.html",
      "/portal/....//x", "/portal/..;/x", "/portal/a/b/c", "/portal/x\r\nSet-Cookie: a=b", "/portal/x y", "/portal/%20",
      "/portal/\xc0\xae\xc0\xae/x", "/portal/\xe2\x80\xa4\xe2\x80\xa4/x", "/portal/~root", "/portal/a:b", "/portal/C:", "/portalx",
      "/portal/" + std::string(101, 'a'), "/", "/etc/passwd", "",
  };
  for (const std::string& path : bad) {
    Result<std::string> r = PortalFileName(path);
    EXPECT_FALSE(r.ok()) << "accepted: " << path << " as " << (r.ok() ? *r : "");
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidRequest) << path;
    }
  }
}

TEST(PortalFileName, IsPortalPath) {
  EXPECT_TRUE(IsPortalPath("/"));
  EXPECT_TRUE(IsPortalPath("/portal"));
  EXPECT_TRUE(IsPortalPath("/portal/"));
  EXPECT_TRUE(IsPortalPath("/portal/../x"));
  EXPECT_FALSE(IsPortalPath("/portalx"));
  EXPECT_FALSE(IsPortalPath("/2/tweets"));
  EXPECT_FALSE(IsPortalPath("/admin/v1/session"));
}

class PortalFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("portal_files_test_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "web" / "assets" / "deeper");
    Write(root_ / "secret.txt", "SECRET-OUTSIDE");
    Write(root_ / "web" / "index.html", "<!doctype html><title>t</title>");
    Write(root_ / "web" / "assets" / "app-1a2b.js", "console.log(1)");
    Write(root_ / "web" / "assets" / "app-1a2b.css", "body{}");
    Write(root_ / "web" / "assets" / "deeper" / "x.js", "too deep");
    Write(root_ / "web" / ".env", "hidden");
    fs::create_symlink(root_ / "secret.txt", root_ / "web" / "link.txt");
  }
  void TearDown() override { fs::remove_all(root_); }
  static void Write(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }
  fs::path root_;
};

TEST_F(PortalFilesTest, ServesWhatWasLoadedWithItsHeaders) {
  auto files = PortalFiles::Load((root_ / "web").string());
  ASSERT_TRUE(files.ok()) << files.status().message();
  EXPECT_EQ(files->size(), 3u);  // index.html and the two assets: not .env, the link, deeper/

  auto index = files->Get("GET", "/portal/");
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(index->body, "<!doctype html><title>t</title>");
  EXPECT_EQ(Header(*index, "Cache-Control"), "no-cache");
  EXPECT_NE(Header(*index, "Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(Header(*index, "Content-Security-Policy").find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(Header(*index, "X-Content-Type-Options"), "nosniff");

  auto js = files->Get("GET", "/portal/assets/app-1a2b.js");
  ASSERT_TRUE(js.ok());
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(Header(*js, "Cache-Control"), "public, max-age=31536000, immutable");
  auto css = files->Get("GET", "/portal/assets/app-1a2b.css");
  ASSERT_TRUE(css.ok());
  EXPECT_EQ(css->content_type, "text/css; charset=utf-8");

  auto root = files->Get("GET", "/");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->status, 302);
  EXPECT_EQ(Header(*root, "Location"), "/portal/");

  for (const char* missing : {"/portal/link.txt", "/portal/nope.js", "/portal/assets/deeper", "/portal/secret.txt"}) {
    auto r = files->Get("GET", missing);
    ASSERT_FALSE(r.ok()) << missing;
    EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << missing;
  }
  for (const char* bad : {"/portal/.env", "/portal/../secret.txt", "/portal/%2e%2e/secret.txt", "/portal/assets/deeper/x.js"}) {
    auto r = files->Get("GET", bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidRequest) << bad;
  }
  auto post = files->Get("POST", "/portal/");
  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.status().code(), StatusCode::kMethodNotAllowed);
}

TEST_F(PortalFilesTest, ADirectoryWithoutIndexIsRefused) {
  EXPECT_FALSE(PortalFiles::Load((root_ / "web" / "assets").string()).ok());
  EXPECT_FALSE(PortalFiles::Load((root_ / "nowhere").string()).ok());
}

TEST(PortalContentType, ByExtension) {
  EXPECT_EQ(PortalContentType("a.svg"), "image/svg+xml");
  EXPECT_EQ(PortalContentType("a.png"), "image/png");
  EXPECT_EQ(PortalContentType("a.unknown"), "application/octet-stream");
}

}  // namespace
}  // namespace sluice
