#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chat/accounts/shared_secret.hpp>
#include <chat/crypto/sha256.hpp>

#include "support/daemon.hpp"
#include "support/matrix_client.hpp"
#include "support/png.hpp"
#include "support/raw_http.hpp"

namespace chat::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::string_view kSecret = "media-test-shared-secret-0123";
constexpr std::uint64_t kMaxUpload = 4 * 1024 * 1024;

std::string random_bytes(std::size_t n, std::uint32_t seed) {
    std::string out(n, '\0');
    std::uint32_t x = seed;
    for (auto& c : out) {
        x = x * 1664525u + 1013904223u;
        c = static_cast<char>(x >> 24);
    }
    return out;
}

std::size_t files_under(const std::filesystem::path& dir) {
    std::size_t n = 0;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file()) ++n;
    return n;
}

class Media : public testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new TempDir();
        daemon_ = Daemon::start(dir_->path(),
                                "rate_limits:\n"
                                "  register: {per_second: 0}\n"
                                "  message: {per_second: 0}\n"
                                "registration:\n  shared_secret: " +
                                    std::string(kSecret) +
                                    "\n"
                                    "media:\n  max_upload_bytes: " +
                                    std::to_string(kMaxUpload) +
                                    "\n  max_image_pixels: 1000000\n")
                      .release();
    }
    static void TearDownTestSuite() {
        EXPECT_EQ(daemon_->stop(), 0) << daemon_->log_tail();
        delete daemon_;
        delete dir_;
    }

    void SetUp() override {
        const auto suffix = std::to_string(++users_);
        alice_ = std::make_unique<MatrixClient>(MatrixClient::registered(port(), "alice" + suffix));
        bob_ = std::make_unique<MatrixClient>(MatrixClient::registered(port(), "bob" + suffix));
    }

    static std::uint16_t port() { return daemon_->port(); }
    static std::filesystem::path media_dir() { return daemon_->data_dir() / "media"; }

    static httplib::Client http() {
        httplib::Client client("127.0.0.1", port());
        client.set_read_timeout(30, 0);
        client.set_write_timeout(30, 0);
        return client;
    }
    static httplib::Headers auth(const MatrixClient& who, httplib::Headers more = {}) {
        more.emplace("Authorization", "Bearer " + who.token());
        return more;
    }

    // POST /upload; returns the answer (status, body, headers).
    static httplib::Result upload(const MatrixClient& who, const std::string& bytes,
                                  const std::string& type, const std::string& filename = "") {
        auto path = std::string("/_matrix/media/v3/upload");
        if (!filename.empty()) path += "?filename=" + escape(filename);
        return http().Post(path, auth(who), bytes, type);
    }
    // The media id of a successful upload ("mxc://localhost/<id>").
    static std::string upload_id(const MatrixClient& who, const std::string& bytes,
                                 const std::string& type, const std::string& filename = "") {
        auto r = upload(who, bytes, type, filename);
        if (!r || r->status != 200) throw std::runtime_error("upload failed");
        auto uri = json::parse(r->body)["content_uri"].get<std::string>();
        return uri.substr(std::string("mxc://localhost/").size());
    }
    static httplib::Result download(const MatrixClient& who, const std::string& media_id,
                                    httplib::Headers more = {}) {
        return http().Get("/_matrix/client/v1/media/download/localhost/" + media_id,
                          auth(who, std::move(more)));
    }

    static TempDir* dir_;
    static Daemon* daemon_;
    static int users_;
    std::unique_ptr<MatrixClient> alice_;
    std::unique_ptr<MatrixClient> bob_;
};

TempDir* Media::dir_ = nullptr;
Daemon* Media::daemon_ = nullptr;
int Media::users_ = 0;

std::string errcode_of(const httplib::Result& r) {
    if (!r) return "";
    auto body = json::parse(r->body, nullptr, false);
    return body.is_object() ? body.value("errcode", "") : "";
}

TEST_F(Media, UploadThenDownloadReturnsTheSameBytes) {
    const auto bytes = random_bytes(3 * 1024 * 1024 + 17, 1);
    auto up = upload(*alice_, bytes, "application/x-test", "report \"final\";.bin");
    ASSERT_TRUE(up);
    ASSERT_EQ(up->status, 200) << up->body << daemon_->log_tail();
    auto uri = json::parse(up->body)["content_uri"].get<std::string>();
    ASSERT_TRUE(uri.starts_with("mxc://localhost/")) << uri;
    auto media_id = uri.substr(16);
    EXPECT_GE(media_id.size(), 24u);
    // Sharded on disk by the id's first four characters.
    EXPECT_TRUE(std::filesystem::exists(media_dir() / "local" / media_id.substr(0, 2) /
                                        media_id.substr(2, 2) / media_id));

    auto down = download(*bob_, media_id);
    ASSERT_TRUE(down);
    ASSERT_EQ(down->status, 200);
    EXPECT_EQ(crypto::sha256(down->body), crypto::sha256(bytes));
    EXPECT_EQ(down->get_header_value("Content-Type"), "application/x-test");
    // cpp-httplib percent-decodes header values, so read this one raw.
    RawConnection raw(port());
    ASSERT_TRUE(raw.send("HEAD /_matrix/client/v1/media/download/localhost/" + media_id +
                         " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + bob_->token() +
                         "\r\n\r\n"));
    auto head = raw.read_response(/*head_request=*/true);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->headers["content-disposition"],
              "attachment; filename*=utf-8''report%20%22final%22%3B.bin");
    EXPECT_EQ(head->headers["content-length"], std::to_string(bytes.size()));
    EXPECT_EQ(down->get_header_value("Cross-Origin-Resource-Policy"), "cross-origin");
    EXPECT_TRUE(down->get_header_value("Content-Security-Policy").starts_with("sandbox;"));

    // A file name in the path overrides the uploaded one.
    auto named = http().Get("/_matrix/client/v1/media/download/localhost/" + media_id + "/x.txt",
                            auth(*bob_));
    ASSERT_TRUE(named);
    EXPECT_EQ(named->status, 200);
    EXPECT_EQ(named->get_header_value("Content-Disposition"), "attachment; filename*=utf-8''x.txt");
    // Downloads need an access token.
    auto anonymous = http().Get("/_matrix/client/v1/media/download/localhost/" + media_id);
    ASSERT_TRUE(anonymous);
    EXPECT_EQ(anonymous->status, 401);
}

TEST_F(Media, SafeImageTypesAreInlineAndHtmlIsNot) {
    auto png = upload_id(*alice_, make_png(4, 4), "image/png", "cat.png");
    auto image = download(*alice_, png);
    ASSERT_TRUE(image);
    EXPECT_EQ(image->get_header_value("Content-Disposition"), "inline; filename*=utf-8''cat.png");
    auto html = upload_id(*alice_, "<script>alert(1)</script>", "text/html", "x.html");
    auto page = download(*alice_, html);
    ASSERT_TRUE(page);
    EXPECT_TRUE(page->get_header_value("Content-Disposition").starts_with("attachment"));
}

TEST_F(Media, ConfigReportsTheUploadLimit) {
    auto config = alice_->get("/_matrix/client/v1/media/config");
    ASSERT_EQ(config.status, 200) << config.text;
    EXPECT_EQ(config.body["m.upload.size"], kMaxUpload);
    EXPECT_EQ(alice_->get("/_matrix/media/v3/config").body["m.upload.size"], kMaxUpload);
}

TEST_F(Media, UploadOverTheLimitIsRefusedAndLeavesNothing) {
    auto before = files_under(media_dir());
    auto r = upload(*alice_, random_bytes(kMaxUpload + 1, 2), "application/octet-stream");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_EQ(errcode_of(r), "M_TOO_LARGE");
    EXPECT_EQ(files_under(media_dir() / "tmp"), 0u);
    EXPECT_EQ(files_under(media_dir()), before);
}

TEST_F(Media, ChunkedUploadOverTheLimitIsRefused) {
    RawConnection raw(port());
    std::string head = "POST /_matrix/media/v3/upload HTTP/1.1\r\nHost: x\r\n"
                       "Authorization: Bearer " + alice_->token() +
                       "\r\nTransfer-Encoding: chunked\r\n\r\n";
    ASSERT_TRUE(raw.send(head));
    std::string chunk(1024 * 1024, 'a');
    for (int i = 0; i < 5; ++i) {
        if (!raw.send("100000\r\n" + chunk + "\r\n")) break;
    }
    auto answer = raw.read_response();
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 413);
    EXPECT_EQ(files_under(media_dir() / "tmp"), 0u);
}

TEST_F(Media, EmptyUploadIsRefused) {
    auto r = upload(*alice_, "", "text/plain");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_EQ(errcode_of(r), "M_INVALID_PARAM");
    EXPECT_EQ(files_under(media_dir() / "tmp"), 0u);
}

TEST_F(Media, TruncatedUploadLeavesNoFile) {
    {
        RawConnection raw(port());
        ASSERT_TRUE(raw.send("POST /_matrix/media/v3/upload HTTP/1.1\r\nHost: x\r\n"
                             "Authorization: Bearer " + alice_->token() +
                             "\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n" +
                             std::string(5000, 'x')));
        // Wait until the server has started writing the file, then hang up.
        auto deadline = std::chrono::steady_clock::now() + 5s;
        while (files_under(media_dir() / "tmp") == 0 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(10ms);
    }
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (files_under(media_dir() / "tmp") != 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);
    EXPECT_EQ(files_under(media_dir() / "tmp"), 0u) << daemon_->log_tail();
}

TEST_F(Media, CreateThenUploadOnlyByTheCreatorAndOnce) {
    auto created = alice_->post("/_matrix/media/v1/create", json::object());
    ASSERT_EQ(created.status, 200) << created.text;
    auto uri = created.body["content_uri"].get<std::string>();
    auto media_id = uri.substr(16);
    EXPECT_GT(created.body["unused_expires_at"].get<std::int64_t>(), 0);

    auto early = download(*bob_, media_id);
    ASSERT_TRUE(early);
    EXPECT_EQ(early->status, 504);
    EXPECT_EQ(errcode_of(early), "M_NOT_YET_UPLOADED");

    const std::string path = "/_matrix/media/v3/upload/localhost/" + media_id + "?filename=a.txt";
    auto by_bob = http().Put(path, auth(*bob_), "from bob", "text/plain");
    ASSERT_TRUE(by_bob);
    EXPECT_EQ(by_bob->status, 403);
    auto by_alice = http().Put(path, auth(*alice_), "from alice", "text/plain");
    ASSERT_TRUE(by_alice);
    EXPECT_EQ(by_alice->status, 200) << by_alice->body;
    auto again = http().Put(path, auth(*alice_), "twice", "text/plain");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 409);
    EXPECT_EQ(errcode_of(again), "M_CANNOT_OVERWRITE_MEDIA");

    auto down = download(*bob_, media_id);
    ASSERT_TRUE(down);
    EXPECT_EQ(down->status, 200);
    EXPECT_EQ(down->body, "from alice");

    auto unknown = http().Put("/_matrix/media/v3/upload/localhost/neverCreatedId0000",
                              auth(*alice_), "x", "text/plain");
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 404);
}

TEST_F(Media, ForeignServersAndPathTricksAreNotFound) {
    auto id = upload_id(*alice_, "secret", "text/plain");
    // Another server's media is fetched over federation: a server that does
    // not resolve is unreachable, 502 (federation_media_test.cpp has the rest).
    auto foreign = http().Get("/_matrix/client/v1/media/download/elsewhere.test/" + id,
                              auth(*alice_));
    ASSERT_TRUE(foreign);
    EXPECT_EQ(foreign->status, 502);
    EXPECT_EQ(errcode_of(foreign), "M_UNKNOWN");
    for (std::string tricky : {"..%2F..%2Fchatd.db", "%2E%2E", "..", "abcd%00", "a%2Fb%2Fc%2Fd",
                               "....", "ab/../../chatd.db"}) {
        auto r = http().Get("/_matrix/client/v1/media/download/localhost/" + tricky,
                            auth(*alice_));
        ASSERT_TRUE(r) << tricky;
        EXPECT_EQ(r->status, 404) << tricky;
        EXPECT_NE(r->body.find("errcode"), std::string::npos) << tricky;
    }
}

TEST_F(Media, RangeRequestsServeSlices) {
    const auto bytes = random_bytes(1000, 3);
    auto id = upload_id(*alice_, bytes, "application/octet-stream");
    auto mid = download(*alice_, id, {{"Range", "bytes=10-19"}});
    ASSERT_TRUE(mid);
    EXPECT_EQ(mid->status, 206);
    EXPECT_EQ(mid->get_header_value("Content-Range"), "bytes 10-19/1000");
    EXPECT_EQ(mid->body, bytes.substr(10, 10));
    auto tail = download(*alice_, id, {{"Range", "bytes=-5"}});
    ASSERT_TRUE(tail);
    EXPECT_EQ(tail->status, 206);
    EXPECT_EQ(tail->body, bytes.substr(995));
    auto open_ended = download(*alice_, id, {{"Range", "bytes=990-"}});
    ASSERT_TRUE(open_ended);
    EXPECT_EQ(open_ended->body, bytes.substr(990));
    auto beyond = download(*alice_, id, {{"Range", "bytes=1000-"}});
    ASSERT_TRUE(beyond);
    EXPECT_EQ(beyond->status, 416);
    EXPECT_EQ(beyond->get_header_value("Content-Range"), "bytes */1000");
}

TEST_F(Media, ThumbnailsScaleAndCropAndAreCached) {
    auto id = upload_id(*alice_, make_png(200, 100), "image/png", "wide.png");
    const std::string base = "/_matrix/client/v1/media/thumbnail/localhost/" + id;
    auto scaled = http().Get(base + "?width=64&height=64&method=scale", auth(*bob_));
    ASSERT_TRUE(scaled);
    ASSERT_EQ(scaled->status, 200) << scaled->body << daemon_->log_tail();
    EXPECT_EQ(scaled->get_header_value("Content-Type"), "image/png");
    EXPECT_EQ(png_size(scaled->body), (std::pair<std::uint32_t, std::uint32_t>{64, 32}));

    auto cropped = http().Get(base + "?width=32&height=32&method=crop", auth(*bob_));
    ASSERT_TRUE(cropped);
    ASSERT_EQ(cropped->status, 200) << cropped->body;
    EXPECT_EQ(png_size(cropped->body), (std::pair<std::uint32_t, std::uint32_t>{32, 32}));

    // Cached on disk: two thumbnails, and asking again serves the same bytes.
    EXPECT_EQ(files_under(media_dir() / "thumbnails" / id.substr(0, 2) / id.substr(2, 2) / id), 2u);
    auto again = http().Get(base + "?width=64&height=64&method=scale", auth(*bob_));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->body, scaled->body);

    auto bad = http().Get(base + "?width=-3&height=10", auth(*bob_));
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400);
}

TEST_F(Media, ThumbnailsOfNonImagesAndBombsAreRefused) {
    auto text = upload_id(*alice_, "just some text", "image/png");
    auto not_image = http().Get("/_matrix/client/v1/media/thumbnail/localhost/" + text +
                                    "?width=32&height=32",
                                auth(*alice_));
    ASSERT_TRUE(not_image);
    EXPECT_EQ(not_image->status, 400);
    EXPECT_EQ(errcode_of(not_image), "M_UNKNOWN");

    auto bomb = upload_id(*alice_, bomb_png(), "image/png", "bomb.png");
    auto refused = http().Get("/_matrix/client/v1/media/thumbnail/localhost/" + bomb +
                                  "?width=32&height=32",
                              auth(*alice_));
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 413) << refused->body;
    EXPECT_EQ(errcode_of(refused), "M_TOO_LARGE");
    // The upload itself is still there, as bytes.
    auto raw = download(*alice_, bomb);
    ASSERT_TRUE(raw);
    EXPECT_EQ(raw->status, 200);
}

TEST_F(Media, LegacyUnauthenticatedDownloadIsOffByDefault) {
    auto id = upload_id(*alice_, "hello", "text/plain");
    auto legacy = http().Get("/_matrix/media/v3/download/localhost/" + id);
    ASSERT_TRUE(legacy);
    EXPECT_EQ(legacy->status, 404);
    EXPECT_EQ(errcode_of(legacy), "M_NOT_FOUND");
}

TEST_F(Media, ImageMessageFromOneUserDownloadsForAnother) {
    const auto png = make_png(20, 10);
    auto id = upload_id(*alice_, png, "image/png", "pic.png");
    auto room = alice_->create_room();
    alice_->invite(room, bob_->user_id());
    bob_->join(room);
    json content = {{"msgtype", "m.image"},
                    {"body", "pic.png"},
                    {"url", "mxc://localhost/" + id},
                    {"info",
                     {{"mimetype", "image/png"}, {"size", png.size()}, {"w", 20}, {"h", 10}}}};
    auto sent = alice_->put(
        "/_matrix/client/v3/rooms/" + escape(room) + "/send/m.room.message/img1", content);
    ASSERT_EQ(sent.status, 200) << sent.text;

    auto sync = bob_->sync();
    ASSERT_EQ(sync.status, 200);
    std::string url;
    for (const auto& event : sync.body["rooms"]["join"][room]["timeline"]["events"])
        if (event.value("type", "") == "m.room.message" &&
            event["content"].value("msgtype", "") == "m.image")
            url = event["content"].value("url", "");
    ASSERT_TRUE(url.starts_with("mxc://localhost/")) << sync.text;
    auto down = download(*bob_, url.substr(16));
    ASSERT_TRUE(down);
    ASSERT_EQ(down->status, 200);
    EXPECT_EQ(down->body, png);
}

TEST_F(Media, AdminsQuarantineListAndDeleteMedia) {
    auto nonce = MatrixClient(port()).get("/_synapse/admin/v1/register").body["nonce"];
    auto name = "root" + std::to_string(users_);
    auto mac =
        accounts::shared_secret_mac(kSecret, nonce.get<std::string>(), name, "root-pw", true);
    auto made = MatrixClient(port()).post("/_synapse/admin/v1/register",
                                          {{"nonce", nonce},
                                           {"username", name},
                                           {"password", "root-pw"},
                                           {"admin", true},
                                           {"mac", mac}});
    ASSERT_EQ(made.status, 200) << made.text;
    MatrixClient admin(port(), made.body["access_token"].get<std::string>());

    auto first = upload_id(*alice_, "one", "text/plain", "one.txt");
    auto second = upload_id(*alice_, "two", "text/plain");
    auto third = upload_id(*alice_, "three", "text/plain");

    // Not for ordinary users.
    auto refused = alice_->post("/_synapse/admin/v1/media/quarantine/localhost/" + first,
                                json::object());
    EXPECT_EQ(refused.status, 403);

    // Oldest first; uploads within one millisecond may come in either order.
    auto list = admin.get("/_synapse/admin/v1/users/" + escape(alice_->user_id()) +
                          "/media?limit=2");
    ASSERT_EQ(list.status, 200) << list.text;
    EXPECT_EQ(list.body["total"], 3);
    ASSERT_EQ(list.body["media"].size(), 2u);
    EXPECT_EQ(list.body["next_token"], 2);
    auto rest = admin.get("/_synapse/admin/v1/users/" + escape(alice_->user_id()) +
                          "/media?from=2");
    ASSERT_EQ(rest.status, 200) << rest.text;
    ASSERT_EQ(rest.body["media"].size(), 1u);
    EXPECT_FALSE(rest.body.contains("next_token"));
    std::set<std::string> listed;
    json first_entry;
    for (const auto* page : {&list, &rest})
        for (const auto& entry : page->body["media"]) {
            listed.insert(entry["media_id"].get<std::string>());
            if (entry["media_id"] == first) first_entry = entry;
        }
    EXPECT_EQ(listed, (std::set<std::string>{first, second, third}));
    EXPECT_EQ(first_entry["upload_name"], "one.txt");
    EXPECT_EQ(first_entry["media_length"], 3);
    EXPECT_EQ(first_entry["media_type"], "text/plain");
    EXPECT_TRUE(first_entry.contains("created_ts"));
    EXPECT_EQ(admin.get("/_synapse/admin/v1/users/" + escape(bob_->user_id()) + "/media")
                  .body["total"],
              0);

    auto quarantined = admin.post("/_synapse/admin/v1/media/quarantine/localhost/" + first,
                                  json::object());
    EXPECT_EQ(quarantined.status, 200) << quarantined.text;
    auto hidden = download(*bob_, first);
    ASSERT_TRUE(hidden);
    EXPECT_EQ(hidden->status, 404);

    auto deleted = admin.del("/_synapse/admin/v1/media/localhost/" + second);
    ASSERT_EQ(deleted.status, 200) << deleted.text;
    EXPECT_EQ(deleted.body["deleted_media"], json::array({second}));
    EXPECT_EQ(deleted.body["total"], 1);
    auto gone = download(*bob_, second);
    ASSERT_TRUE(gone);
    EXPECT_EQ(gone->status, 404);
    EXPECT_FALSE(std::filesystem::exists(media_dir() / "local" / second.substr(0, 2) /
                                         second.substr(2, 2) / second));
    EXPECT_EQ(admin.del("/_synapse/admin/v1/media/localhost/" + second).status, 404);
}

TEST(MediaLegacy, UnauthenticatedDownloadServedWhenEnabled) {
    TempDir dir;
    auto daemon = Daemon::start(dir.path(), "media:\n  legacy_unauthenticated_download: true\n");
    auto alice = MatrixClient::registered(daemon->port(), "alice");
    httplib::Client client("127.0.0.1", daemon->port());
    auto up = client.Post("/_matrix/media/v3/upload",
                          httplib::Headers{{"Authorization", "Bearer " + alice.token()}},
                          std::string("legacy bytes"), "text/plain");
    ASSERT_TRUE(up);
    ASSERT_EQ(up->status, 200);
    auto id = json::parse(up->body)["content_uri"].get<std::string>().substr(16);
    auto legacy = client.Get("/_matrix/media/v3/download/localhost/" + id);
    ASSERT_TRUE(legacy);
    EXPECT_EQ(legacy->status, 200);
    EXPECT_EQ(legacy->body, "legacy bytes");
    EXPECT_EQ(daemon->stop(), 0) << daemon->log_tail();
}

}  // namespace
}  // namespace chat::test
