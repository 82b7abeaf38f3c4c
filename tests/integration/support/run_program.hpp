#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace chat::test {

// What a finished program left behind.
struct ProgramRun {
    int exit_code = -1;  // 128 + signal when killed
    std::string out;
    std::string err;
};

// Runs `binary` with `args` in `workdir`, with the environment of this
// process minus any CHATCTL_* variables, plus `env` (NAME, value), and waits
// for it (killed after `deadline`). Output goes through files in `workdir`.
ProgramRun run_program(const std::string& binary, const std::vector<std::string>& args,
                       const std::filesystem::path& workdir,
                       const std::vector<std::pair<std::string, std::string>>& env = {},
                       std::chrono::seconds deadline = std::chrono::seconds(30));

}  // namespace chat::test
