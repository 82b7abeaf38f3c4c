// chatctl: the admin CLI of chatd, over the admin HTTP API (docs/admin.md).
#include "cli_main.hpp"

int main(int argc, char** argv) { return chat::cli::run(argc, argv); }
