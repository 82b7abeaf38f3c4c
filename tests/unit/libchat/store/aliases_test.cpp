#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include <chat/core/room_alias.hpp>

#include "libchat/store/store_test_support.hpp"

namespace chat {
namespace {

using test::rid;
using test::uid;
using test::value;

using store::ReadTxn;
using store::WriteTxn;

RoomAlias alias(std::string_view text) {
    return RoomAlias::parse(text).value();
}

using StoreAliases = test::StoreTest;

TEST_F(StoreAliases, PutThenGetGivesTheRoomAndCreator) {
    write([](WriteTxn& t) {
        return t.aliases().put(alias("#lobby:a.test"), rid("!r1:a.test"), uid("@alice:a.test"));
    });
    auto got = read([](ReadTxn& t) { return t.aliases().get(alias("#lobby:a.test")); });
    ASSERT_TRUE(got);
    EXPECT_EQ(got->alias, alias("#lobby:a.test"));
    EXPECT_EQ(got->room_id, rid("!r1:a.test"));
    EXPECT_EQ(got->creator, uid("@alice:a.test"));
    EXPECT_FALSE(read([](ReadTxn& t) { return t.aliases().get(alias("#other:a.test")); }));
}

TEST_F(StoreAliases, AliasesAreCaseSensitive) {
    write([](WriteTxn& t) {
        return t.aliases().put(alias("#Lobby:a.test"), rid("!r1:a.test"), uid("@alice:a.test"));
    });
    EXPECT_FALSE(read([](ReadTxn& t) { return t.aliases().get(alias("#lobby:a.test")); }));
}

TEST_F(StoreAliases, ATakenAliasIsRoomInUseAndKeepsItsRoom) {
    write([](WriteTxn& t) {
        return t.aliases().put(alias("#lobby:a.test"), rid("!r1:a.test"), uid("@alice:a.test"));
    });
    for (const char* room : {"!r2:a.test", "!r1:a.test"}) {
        auto again = store_->write("put", [&](WriteTxn& t) {
            return t.aliases().put(alias("#lobby:a.test"), rid(room), uid("@bob:a.test"));
        });
        ASSERT_FALSE(again) << room;
        EXPECT_EQ(again.error().code, Errc::room_in_use);
    }
    auto got = read([](ReadTxn& t) { return t.aliases().get(alias("#lobby:a.test")); });
    ASSERT_TRUE(got);
    EXPECT_EQ(got->room_id, rid("!r1:a.test"));
    EXPECT_EQ(got->creator, uid("@alice:a.test"));
}

TEST_F(StoreAliases, ForRoomListsOnlyThatRoomsAliasesInOrder) {
    write([](WriteTxn& t) -> Result<void> {
        auto& a = t.aliases();
        for (const char* text : {"#zeta:a.test", "#alpha:a.test"})
            if (auto put = a.put(alias(text), rid("!r1:a.test"), uid("@alice:a.test")); !put)
                return put;
        return a.put(alias("#elsewhere:a.test"), rid("!r2:a.test"), uid("@alice:a.test"));
    });
    auto listed = read([](ReadTxn& t) { return t.aliases().for_room(rid("!r1:a.test")); });
    EXPECT_EQ(listed, (std::vector<RoomAlias>{alias("#alpha:a.test"), alias("#zeta:a.test")}));
    EXPECT_TRUE(read([](ReadTxn& t) { return t.aliases().for_room(rid("!none:a.test")); }).empty());
}

TEST_F(StoreAliases, RemoveFreesTheAliasForAnotherRoom) {
    write([](WriteTxn& t) {
        return t.aliases().put(alias("#lobby:a.test"), rid("!r1:a.test"), uid("@alice:a.test"));
    });
    EXPECT_TRUE(write([](WriteTxn& t) { return t.aliases().remove(alias("#lobby:a.test")); }));
    EXPECT_FALSE(write([](WriteTxn& t) { return t.aliases().remove(alias("#lobby:a.test")); }));
    EXPECT_FALSE(read([](ReadTxn& t) { return t.aliases().get(alias("#lobby:a.test")); }));
    EXPECT_TRUE(read([](ReadTxn& t) { return t.aliases().for_room(rid("!r1:a.test")); }).empty());

    write([](WriteTxn& t) {
        return t.aliases().put(alias("#lobby:a.test"), rid("!r2:a.test"), uid("@bob:a.test"));
    });
    auto got = read([](ReadTxn& t) { return t.aliases().get(alias("#lobby:a.test")); });
    ASSERT_TRUE(got);
    EXPECT_EQ(got->room_id, rid("!r2:a.test"));
}

TEST_F(StoreAliases, AFailedPutInsideAWriteRollsBackOnlyThatWrite) {
    write([](WriteTxn& t) {
        return t.aliases().put(alias("#lobby:a.test"), rid("!r1:a.test"), uid("@alice:a.test"));
    });
    // A transaction that adds one alias and then hits a taken one commits nothing.
    auto failed = store_->write("two", [](WriteTxn& t) -> Result<void> {
        if (auto put = t.aliases().put(alias("#new:a.test"), rid("!r2:a.test"), uid("@bob:a.test"));
            !put)
            return put;
        return t.aliases().put(alias("#lobby:a.test"), rid("!r2:a.test"), uid("@bob:a.test"));
    });
    ASSERT_FALSE(failed);
    EXPECT_FALSE(read([](ReadTxn& t) { return t.aliases().get(alias("#new:a.test")); }));
}

}  // namespace
}  // namespace chat
