// Table-driven state resolution cases: tests/data/stateres/*.json (format in the README
// there), each run for every room version it lists and for every order of its inputs.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chat/state/state_res.hpp>

#include "libchat/state/state_res_fixture.hpp"

namespace chat::state {
namespace {

struct CaseRef {
    std::string file;
    std::size_t index;
    std::string name;
    std::string version;
};

const std::vector<std::string> kDefaultVersions = {"2", "6", "10", "11", "12"};

nlohmann::json read_json(const std::string& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

std::vector<CaseRef> all_cases() {
    const std::filesystem::path dir = std::string(CHAT_TEST_DATA_DIR) + "/stateres";
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() == ".json") files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    std::vector<CaseRef> refs;
    for (const auto& file : files) {
        const auto doc = read_json(file);
        const auto& cases = doc.at("cases");
        for (std::size_t i = 0; i < cases.size(); ++i) {
            const auto& c = cases[i];
            const auto versions =
                c.contains("versions") ? c["versions"].get<std::vector<std::string>>()
                                       : kDefaultVersions;
            for (const auto& v : versions)
                refs.push_back({file, i, c.at("name").get<std::string>(), v});
        }
    }
    return refs;
}

void PrintTo(const CaseRef& ref, std::ostream* out) {
    *out << ref.name << " (room version " << ref.version << ")";
}

class StateResCase : public ::testing::TestWithParam<CaseRef> {};

TEST_P(StateResCase, ResolvesToTheExpectedStateInEveryInputOrder) {
    const CaseRef& ref = GetParam();
    const auto spec = read_json(ref.file).at("cases").at(ref.index);
    const RoomVersion* version = RoomVersion::find(ref.version);
    ASSERT_NE(version, nullptr) << ref.version;
    SCOPED_TRACE(spec.value("about", ""));

    test::Dag dag(*version);
    if (spec.value("preamble", true)) dag.add_preamble();
    for (const auto& event : spec.at("events")) dag.add(event);

    std::vector<StateMap> inputs;
    for (const auto& input : spec.at("resolve")) inputs.push_back(dag.state_from(input));

    StateMap expected = dag.state_after(spec.value("base", std::string("START")));
    const auto& by_version = spec.value("expected_by_version", nlohmann::json::object());
    dag.apply(expected, by_version.contains(ref.version) ? by_version[ref.version]
                                                         : spec.at("expected"));

    // Every permutation of the inputs must give the same state (determinism).
    std::vector<std::size_t> order(inputs.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    do {
        std::vector<StateMap> permuted;
        for (auto i : order) permuted.push_back(inputs[i]);
        auto resolved = resolve(*version, permuted, dag.source());
        ASSERT_TRUE(resolved) << resolved.error().message;
        EXPECT_EQ(dag.describe(*resolved), dag.describe(expected));
        EXPECT_EQ(*resolved, expected);
    } while (std::next_permutation(order.begin(), order.end()));
}

INSTANTIATE_TEST_SUITE_P(StateResCases, StateResCase, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<CaseRef>& param) {
                             return param.param.name + "_v" + param.param.version;
                         });

}  // namespace
}  // namespace chat::state
