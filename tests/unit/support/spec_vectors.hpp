#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace chat::test {

// The Matrix spec's published test vectors (tests/data/spec_test_vectors.json),
// read once per test binary. Trusted fixture data, so nlohmann's throwing
// accessors are fine here.
inline const nlohmann::json& spec_vectors() {
    static const nlohmann::json vectors = [] {
        std::ifstream in(std::string(CHAT_TEST_DATA_DIR) + "/spec_test_vectors.json");
        std::stringstream text;
        text << in.rdbuf();
        return nlohmann::json::parse(text.str());
    }();
    return vectors;
}

}  // namespace chat::test
