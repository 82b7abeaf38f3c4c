#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <chat/crypto/sha256.hpp>

#include "libchat/store/store_test_support.hpp"

namespace chat {
namespace {

using test::value;

using store::MediaRow;
using store::PendingMediaRow;
using store::Position;
using store::ReadTxn;
using store::RoomRow;
using store::Stream;
using store::WriteTxn;

using StoreRooms = test::StoreTest;

TEST_F(StoreRooms, CreateGetAndDirectoryVisibility) {
    auto room = test::rid("!r1:a.test");
    EXPECT_TRUE(write([&](WriteTxn& t) {
        return t.rooms().create(RoomRow{.room_id = room, .room_version = "12",
                                        .creator = test::uid("@alice:a.test"), .created_ts = 5});
    }));
    EXPECT_FALSE(write([&](WriteTxn& t) {  // exists: unchanged
        return t.rooms().create(RoomRow{.room_id = room, .room_version = "1", .created_ts = 6});
    }));
    auto got = read([&](ReadTxn& t) { return t.rooms().get(room); });
    ASSERT_TRUE(got);
    EXPECT_EQ(got->room_version, "12");
    EXPECT_EQ(got->creator, test::uid("@alice:a.test"));
    EXPECT_EQ(got->visibility, "private");
    EXPECT_TRUE(read([](ReadTxn& t) { return t.rooms().public_rooms(std::nullopt, 10); }).empty());

    write([&](WriteTxn& t) -> Result<bool> {
        auto r2 = t.rooms().create(RoomRow{.room_id = test::rid("!r2:a.test"), .room_version = "12",
                                           .created_ts = 7});
        if (!r2) return r2.error();
        if (auto v = t.rooms().set_visibility(room, "public"); !v) return v.error();
        if (auto v = t.rooms().set_visibility(test::rid("!r2:a.test"), "public"); !v) return v.error();
        return true;
    });
    auto page = read([](ReadTxn& t) { return t.rooms().public_rooms(std::nullopt, 1); });
    ASSERT_EQ(page.size(), 1u);
    EXPECT_EQ(page[0].room_id, room);
    auto rest = read([&](ReadTxn& t) { return t.rooms().public_rooms(room, 10); });
    ASSERT_EQ(rest.size(), 1u);
    EXPECT_EQ(rest[0].room_id, test::rid("!r2:a.test"));
    auto unknown = store_->write("vis", [](WriteTxn& t) {
        return t.rooms().set_visibility(test::rid("!none:a.test"), "public");
    });
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, Errc::not_found);
}

TEST_F(StoreRooms, PublicRoomsPageBackwardsNearestFirstAndAreCounted) {
    write([](WriteTxn& t) -> Result<void> {
        for (const char* id : {"!a:a.test", "!b:a.test", "!c:a.test", "!d:a.test"}) {
            auto made = t.rooms().create(RoomRow{.room_id = test::rid(id), .room_version = "12"});
            if (!made) return made.error();
            // !c stays private: both directions skip it.
            if (std::string_view(id) != "!c:a.test")
                if (auto v = t.rooms().set_visibility(test::rid(id), "public"); !v) return v;
        }
        return ok();
    });
    EXPECT_EQ(read([](ReadTxn& t) { return t.rooms().count_public(); }), 3);
    auto before = read([](ReadTxn& t) {
        return t.rooms().public_rooms_before(test::rid("!d:a.test"), 2);
    });
    ASSERT_EQ(before.size(), 2u);
    EXPECT_EQ(before[0].room_id, test::rid("!b:a.test"));
    EXPECT_EQ(before[1].room_id, test::rid("!a:a.test"));
    EXPECT_TRUE(read([](ReadTxn& t) {
                    return t.rooms().public_rooms_before(test::rid("!a:a.test"), 10);
                }).empty());
    write([](WriteTxn& t) { return t.rooms().set_visibility(test::rid("!a:a.test"), "private"); });
    EXPECT_EQ(read([](ReadTxn& t) { return t.rooms().count_public(); }), 2);
}

using StoreMedia = test::StoreTest;

TEST_F(StoreMedia, MetadataRoundTripsAndCanBeQuarantined) {
    auto origin = ServerName::parse("a.test").value();
    MediaRow row{.origin = origin, .media_id = "abcDEF", .uploader = test::uid("@alice:a.test"),
                 .content_type = "image/png", .upload_name = "cat.png", .size = 51200,
                 .sha256 = crypto::sha256("bytes"), .created_ts = 42};
    write([&](WriteTxn& t) { return t.media().put(row); });
    auto dup = store_->write("dup", [&](WriteTxn& t) { return t.media().put(row); });
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, Errc::invalid_param);

    auto got = read([&](ReadTxn& t) { return t.media().get(origin, "abcDEF"); });
    ASSERT_TRUE(got);
    EXPECT_EQ(got->uploader, row.uploader);
    EXPECT_EQ(got->content_type, "image/png");
    EXPECT_EQ(got->upload_name, "cat.png");
    EXPECT_EQ(got->size, 51200);
    EXPECT_EQ(got->sha256, row.sha256);
    EXPECT_FALSE(got->quarantined);
    EXPECT_EQ(read([&](ReadTxn& t) { return t.media().by_uploader(test::uid("@alice:a.test"), 10); }).size(), 1u);

    EXPECT_TRUE(write([&](WriteTxn& t) { return t.media().set_quarantined(origin, "abcDEF", true); }));
    EXPECT_TRUE(read([&](ReadTxn& t) { return t.media().get(origin, "abcDEF"); })->quarantined);
    EXPECT_FALSE(write([&](WriteTxn& t) { return t.media().set_quarantined(origin, "nope", true); }));
    EXPECT_FALSE(read([&](ReadTxn& t) { return t.media().get(origin, "nope"); }));
    EXPECT_TRUE(write([&](WriteTxn& t) { return t.media().remove(origin, "abcDEF"); }));
    EXPECT_FALSE(read([&](ReadTxn& t) { return t.media().get(origin, "abcDEF"); }));
}

using StoreTxnIds = test::StoreTest;

TEST_F(StoreTxnIds, TheFirstEventIdWinsPerDevice) {
    auto alice = test::uid("@alice:a.test");
    auto e1 = EventId::parse("$one:a.test").value();
    auto e2 = EventId::parse("$two:a.test").value();
    EXPECT_EQ(write([&](WriteTxn& t) { return t.txn_ids().put(alice, "PHONE", "txn1", e1, 10); }), e1);
    EXPECT_EQ(write([&](WriteTxn& t) { return t.txn_ids().put(alice, "PHONE", "txn1", e2, 11); }), e1);
    EXPECT_EQ(write([&](WriteTxn& t) { return t.txn_ids().put(alice, "LAPTOP", "txn1", e2, 12); }), e2);
    EXPECT_EQ(read([&](ReadTxn& t) { return t.txn_ids().get(alice, "PHONE", "txn1"); }), e1);
    EXPECT_FALSE(read([&](ReadTxn& t) { return t.txn_ids().get(alice, "PHONE", "txn2"); }));
    EXPECT_EQ(write([](WriteTxn& t) { return t.txn_ids().purge_before(12); }), 1);
    EXPECT_FALSE(read([&](ReadTxn& t) { return t.txn_ids().get(alice, "PHONE", "txn1"); }));
}

using StoreFilters = test::StoreTest;

TEST_F(StoreFilters, IdsArePerUserAndEqualFiltersShareOne) {
    auto alice = test::uid("@alice:a.test");
    auto bob = test::uid("@bob:a.test");
    nlohmann::json f1 = {{"room", {{"timeline", {{"limit", 10}}}}}};
    nlohmann::json f2 = {{"presence", {{"types", nlohmann::json::array()}}}};
    EXPECT_EQ(write([&](WriteTxn& t) { return t.filters().add(alice, f1); }), 0);
    EXPECT_EQ(write([&](WriteTxn& t) { return t.filters().add(alice, f2); }), 1);
    EXPECT_EQ(write([&](WriteTxn& t) { return t.filters().add(alice, f1); }), 0);
    EXPECT_EQ(write([&](WriteTxn& t) { return t.filters().add(bob, f2); }), 0);
    EXPECT_EQ(read([&](ReadTxn& t) { return t.filters().get(alice, 1); }), f2);
    EXPECT_FALSE(read([&](ReadTxn& t) { return t.filters().get(bob, 1); }));
}

using StoreStreams = test::StoreTest;

TEST_F(StoreStreams, PositionsStrictlyIncreasePerStream) {
    std::vector<Position> receipts;
    for (int i = 0; i < 5; ++i)
        receipts.push_back(write([](WriteTxn& t) { return t.next_position(Stream::receipts); }));
    EXPECT_EQ(receipts, (std::vector<Position>{1, 2, 3, 4, 5}));
    EXPECT_EQ(write([](WriteTxn& t) { return t.next_position(Stream::to_device); }), 1);
    auto all = read([](ReadTxn& t) { return t.streams().current_all(); });
    EXPECT_EQ(all[Stream::receipts], 5);
    EXPECT_EQ(all[Stream::to_device], 1);
    EXPECT_EQ(all[Stream::presence], 0);
    // Several positions in one transaction.
    auto pair = write([](WriteTxn& t) -> Result<std::pair<Position, Position>> {
        auto a = t.next_position(Stream::receipts);
        if (!a) return a.error();
        auto b = t.next_position(Stream::receipts);
        if (!b) return b.error();
        return std::pair{*a, *b};
    });
    EXPECT_EQ(pair.first, 6);
    EXPECT_EQ(pair.second, 7);
}

TEST_F(StoreStreams, AFailedWriteLeavesNoGap) {
    auto p1 = write([](WriteTxn& t) { return t.next_position(Stream::account_data); });
    auto failed = store_->write("fails", [](WriteTxn& t) -> Result<Position> {
        auto p = t.next_position(Stream::account_data);
        if (!p) return p.error();
        return make_error(Errc::forbidden, "no");
    });
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, Errc::forbidden);
    auto p2 = write([](WriteTxn& t) { return t.next_position(Stream::account_data); });
    EXPECT_EQ(p2, p1 + 1);
    EXPECT_EQ(read([](ReadTxn& t) { return t.current_position(Stream::account_data); }), p2);
}

TEST(StoreStreamNames, RoundTrip) {
    for (Stream s : store::kAllStreams) EXPECT_EQ(store::stream_from_string(store::to_string(s)), s);
    EXPECT_FALSE(store::stream_from_string("typing"));
}


TEST_F(StoreMedia, ReservedIdsExpireAndAreUsedOnce) {
    auto alice = test::uid("@alice:a.test");
    PendingMediaRow row{.media_id = "resv1", .creator = alice, .created_ts = 10,
                        .expires_ts = 100};
    write([&](WriteTxn& t) { return t.media().reserve(row); });
    auto dup = store_->write("dup", [&](WriteTxn& t) { return t.media().reserve(row); });
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, Errc::invalid_param);
    EXPECT_EQ(read([&](ReadTxn& t) { return t.media().count_pending(alice, 50); }), 1);
    EXPECT_EQ(read([&](ReadTxn& t) { return t.media().count_pending(alice, 100); }), 0);
    auto got = read([&](ReadTxn& t) { return t.media().pending("resv1"); });
    ASSERT_TRUE(got);
    EXPECT_EQ(got->creator, alice);
    EXPECT_EQ(got->expires_ts, 100);

    write([&](WriteTxn& t) {
        return t.media().reserve({.media_id = "resv2", .creator = alice, .expires_ts = 500});
    });
    EXPECT_EQ(write([&](WriteTxn& t) { return t.media().remove_expired_pending(100); }), 1);
    EXPECT_FALSE(read([&](ReadTxn& t) { return t.media().pending("resv1"); }));
    EXPECT_TRUE(write([&](WriteTxn& t) { return t.media().remove_pending("resv2"); }));
    EXPECT_FALSE(write([&](WriteTxn& t) { return t.media().remove_pending("resv2"); }));
}

TEST_F(StoreMedia, UploaderPagesAreOldestFirstWithATotal) {
    auto origin = ServerName::parse("a.test").value();
    auto alice = test::uid("@alice:a.test");
    for (int i = 0; i < 5; ++i) {
        MediaRow row{.origin = origin, .media_id = "m" + std::to_string(i), .uploader = alice,
                     .size = i, .sha256 = crypto::sha256("x"), .created_ts = 100 - i};
        write([&](WriteTxn& t) { return t.media().put(row); });
    }
    EXPECT_EQ(read([&](ReadTxn& t) { return t.media().count_by_uploader(alice); }), 5);
    auto page = read([&](ReadTxn& t) { return t.media().page_by_uploader(alice, 1, 2); });
    ASSERT_EQ(page.size(), 2u);
    EXPECT_EQ(page[0].media_id, "m3");
    EXPECT_EQ(page[1].media_id, "m2");
}

}  // namespace
}  // namespace chat
