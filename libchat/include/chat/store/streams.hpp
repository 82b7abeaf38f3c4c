#pragma once

#include <chat/core/result.hpp>
#include <chat/store/stream.hpp>

namespace chat::store {

class StreamsReader {
public:
    virtual ~StreamsReader() = default;
    // The stream's position in this transaction's snapshot (0 before its
    // first change). Every change at or below it is visible in the snapshot.
    virtual Result<Position> current(Stream stream) = 0;
    virtual Result<StreamPositions> current_all() = 0;
};

class Streams : public StreamsReader {
public:
    // Advances the stream and returns the new position, for the change being
    // written in this transaction. Readers see it when the transaction
    // commits; if the change rolls back, so does the position (no gaps).
    virtual Result<Position> next(Stream stream) = 0;
    // The next position for backfilled events: -1, -2, ..., below every live
    // event (Events::persist uses it for EventToPersist::backfilled).
    virtual Result<Position> next_backfill() = 0;
};

}  // namespace chat::store
