// The homeport binary.
#include "command.h"

int main(int argc, char** argv) { return homeport::cli::Main(argc, argv); }
