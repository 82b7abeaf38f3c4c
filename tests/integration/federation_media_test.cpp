// Issue 9 (media): content uploaded on A reaches a user of B through B's
// client API, fetched over GET /_matrix/federation/v1/media/download and
// cached by B; thumbnails are made by B from its cached copy. A's
// federation endpoints answer multipart/mixed for local media only.

#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chat/crypto/signing_key.hpp>
#include <chat/federation/client/x_matrix.hpp>

#include "support/admin.hpp"
#include "support/daemon.hpp"
#include "support/matrix_client.hpp"
#include "support/png.hpp"
#include "support/two_servers.hpp"

namespace chat::test {
namespace {

using nlohmann::json;

class FederationMedia : public TwoServers {
protected:
    FederationMedia() { a_extra_yaml_ = std::string(kAdminYaml); }

    // Uploads to A as alice; returns the media id.
    std::string upload_on_a(const std::string& bytes, const std::string& type,
                            const std::string& filename) {
        return upload_media(a_port_, *alice_, bytes, type, filename);
    }
    // A signed federation GET to A, as B.
    httplib::Result federation_get_a(const std::string& path) {
        auto b_key = crypto::SigningKey::load(b_->data_dir() / "signing.key");
        EXPECT_TRUE(b_key);
        auto header = federation::x_matrix_authorization(
            *ServerName::parse(b_name_), *ServerName::parse(a_name_), *b_key, "GET", path, nullptr);
        EXPECT_TRUE(header);
        httplib::Client client("127.0.0.1", a_port_);
        client.set_read_timeout(20, 0);
        return client.Get(path, {{"Authorization", *header}});
    }
    static std::string errcode_of(const httplib::Result& r) {
        if (!r) return "no answer";
        auto body = json::parse(r->body, nullptr, false);
        return body.is_object() ? body.value("errcode", "") : "";
    }
    void stop_a() {
        EXPECT_EQ(a_->stop(), 0) << a_->log_tail();
        a_.reset();
    }

};

TEST_F(FederationMedia, BobDownloadsAndThumbnailsAlicesMediaThenFromCacheWhenAIsDown) {
    std::string bytes = "binary\r\n--not a boundary\r\n";
    bytes.push_back('\0');
    bytes += std::string(100000, 'x');
    const auto file = upload_on_a(bytes, "application/x-test", "data.bin");
    const auto png = upload_on_a(make_png(200, 100), "image/png", "wide.png");
    ASSERT_FALSE(file.empty());
    ASSERT_FALSE(png.empty());

    auto first = bob_get("download", a_name_, file);
    ASSERT_TRUE(first);
    ASSERT_EQ(first->status, 200) << first->body << "\nB: " << b_->log_tail();
    EXPECT_EQ(first->body, bytes);
    EXPECT_EQ(first->get_header_value("Content-Type"), "application/x-test");
    // The name came along in the remote's Content-Disposition.
    EXPECT_EQ(first->get_header_value("Content-Disposition"),
              "attachment; filename*=utf-8''data.bin");

    auto thumb = bob_get("thumbnail", a_name_, png, "?width=64&height=64&method=scale");
    ASSERT_TRUE(thumb);
    ASSERT_EQ(thumb->status, 200) << thumb->body << "\nB: " << b_->log_tail();
    EXPECT_EQ(thumb->get_header_value("Content-Type"), "image/png");
    EXPECT_EQ(png_size(thumb->body), (std::pair<std::uint32_t, std::uint32_t>{64, 32}));

    // Unknown media of A: A says M_NOT_FOUND, and so does B.
    auto unknown = bob_get("download", a_name_, "noSuchMediaOnA0000");
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 404) << unknown->body;
    EXPECT_EQ(errcode_of(unknown), "M_NOT_FOUND");

    // A goes away: what B cached is still served (and thumbnailed), the rest
    // is 502.
    stop_a();
    auto again = bob_get("download", a_name_, file);
    ASSERT_TRUE(again);
    ASSERT_EQ(again->status, 200) << again->body;
    EXPECT_EQ(again->body, bytes);
    auto crop = bob_get("thumbnail", a_name_, png, "?width=32&height=32&method=crop");
    ASSERT_TRUE(crop);
    ASSERT_EQ(crop->status, 200) << crop->body;
    EXPECT_EQ(png_size(crop->body), (std::pair<std::uint32_t, std::uint32_t>{32, 32}));
    auto down = bob_get("download", a_name_, "neverFetchedBefore00");
    ASSERT_TRUE(down);
    EXPECT_EQ(down->status, 502) << down->body;
}

TEST_F(FederationMedia, FederationEndpointsAnswerMultipartForLocalMediaOnly) {
    const auto id = upload_on_a("hello over federation", "text/plain", "note.txt");
    ASSERT_FALSE(id.empty());
    auto r = federation_get_a("/_matrix/federation/v1/media/download/" + id);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    const auto type = r->get_header_value("Content-Type");
    ASSERT_EQ(type.rfind("multipart/mixed; boundary=", 0), 0u) << type;
    const auto boundary = type.substr(std::string("multipart/mixed; boundary=").size());
    EXPECT_EQ(r->body, "--" + boundary + "\r\nContent-Type: application/json\r\n\r\n{}\r\n--" +
                           boundary +
                           "\r\nContent-Type: text/plain\r\n"
                           "Content-Disposition: inline; filename*=utf-8''note.txt\r\n\r\n"
                           "hello over federation\r\n--" +
                           boundary + "--\r\n");

    const auto png = upload_on_a(make_png(40, 20), "image/png", "p.png");
    auto thumb = federation_get_a("/_matrix/federation/v1/media/thumbnail/" + png +
                                  "?width=20&height=20&method=scale");
    ASSERT_TRUE(thumb);
    ASSERT_EQ(thumb->status, 200) << thumb->body;
    EXPECT_NE(thumb->body.find("Content-Type: image/png\r\n"), std::string::npos);

    auto unknown = federation_get_a("/_matrix/federation/v1/media/download/noSuchMedia0000");
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 404);
    EXPECT_EQ(errcode_of(unknown), "M_NOT_FOUND");
    auto bad_id = federation_get_a("/_matrix/federation/v1/media/download/a.b");
    ASSERT_TRUE(bad_id);
    EXPECT_EQ(bad_id->status, 404);
    auto no_size = federation_get_a("/_matrix/federation/v1/media/thumbnail/" + png);
    ASSERT_TRUE(no_size);
    EXPECT_EQ(no_size->status, 400) << no_size->body;

    // Without X-Matrix: refused.
    httplib::Client client("127.0.0.1", a_port_);
    auto anonymous = client.Get("/_matrix/federation/v1/media/download/" + id);
    ASSERT_TRUE(anonymous);
    EXPECT_EQ(anonymous->status, 401);

    // Quarantined on A: refused to servers as to clients, and so to bob.
    auto admin = registered_admin(a_->port(), "root");
    auto q = admin.post("/_synapse/admin/v1/media/quarantine/" + escape(a_name_) + "/" + id,
                        json::object());
    ASSERT_EQ(q.status, 200) << q.text;
    auto quarantined = federation_get_a("/_matrix/federation/v1/media/download/" + id);
    ASSERT_TRUE(quarantined);
    EXPECT_EQ(quarantined->status, 404);
    auto via_b = bob_get("download", a_name_, id);
    ASSERT_TRUE(via_b);
    EXPECT_EQ(via_b->status, 404) << via_b->body;
}

TEST_F(FederationMedia, BadInputThroughTheClientApi) {
    // Ids outside the grammar and server names that are not names: 404,
    // without asking anyone.
    for (const auto& [server, id] : std::vector<std::pair<std::string, std::string>>{
             {a_name_, "a.b"}, {a_name_, "x"}, {"not a server!", "abcd1234"}}) {
        auto r = bob_get("download", server, id);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 404) << server << " " << id << ": " << r->body;
    }
    // An unreachable server: 502.
    auto unreachable = bob_get("download", "127.0.0.1:" + std::to_string(free_port()), "abcd1234");
    ASSERT_TRUE(unreachable);
    EXPECT_EQ(unreachable->status, 502) << unreachable->body;
    // Thumbnail parameters are checked before any fetch.
    auto no_width = bob_get("thumbnail", a_name_, "abcd1234", "?height=10");
    ASSERT_TRUE(no_width);
    EXPECT_EQ(no_width->status, 400) << no_width->body;
    // Without a token: 401.
    httplib::Client client("127.0.0.1", b_port_);
    auto anonymous = client.Get("/_matrix/client/v1/media/download/" + escape(a_name_) + "/abcd1234");
    ASSERT_TRUE(anonymous);
    EXPECT_EQ(anonymous->status, 401);
}

}  // namespace
}  // namespace chat::test
