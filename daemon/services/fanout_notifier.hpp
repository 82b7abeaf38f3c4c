#pragma once

#include <functional>
#include <utility>

#include <chat/sync/notifier.hpp>

namespace chat::daemon {

// The notifier libchat is given: passes every stream advance to the inner
// one (the WakeHub: long-polling syncs) and to one more listener (the
// federation sender, which sends new events of ours to other servers).
// The listener is set once, before the server starts; then read only.
class FanoutNotifier final : public sync::Notifier {
public:
    using Listener = std::function<void(store::Stream, store::Position)>;

    explicit FanoutNotifier(sync::Notifier& inner) : inner_(inner) {}

    void set_listener(Listener listener) { listener_ = std::move(listener); }

    void advanced(store::Stream stream, store::Position position) override {
        inner_.advanced(stream, position);
        if (listener_) listener_(stream, position);
    }

private:
    sync::Notifier& inner_;
    Listener listener_;
};

}  // namespace chat::daemon
