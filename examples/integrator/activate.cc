// The smallest device integration: activate once with the profile flashed at the factory and
// the region manifest shipped in the firmware, through libhomeport.
//
//   c++ -std=c++20 activate.cc $(pkg-config --cflags --libs homeport) -o activate
//   ./activate PROFILE MANIFEST STATE_DIR
#include <homeport/agent.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s PROFILE MANIFEST STATE_DIR\n", argv[0]);
    return 2;
  }
  homeport::AgentOptions options;
  options.profile_path = argv[1];
  options.manifest_path = argv[2];
  options.state_dir = argv[3];
  auto agent = homeport::Agent::Open(options);  // refuses a manifest of another region (D1)
  if (!agent.ok()) {
    std::fprintf(stderr, "activate: %s\n", agent.status().ToString().c_str());
    return 1;
  }
  auto state = (*agent)->Activate();
  if (!state.ok()) {
    std::fprintf(stderr, "activate: %s\n", state.status().ToString().c_str());
    return 1;
  }
  std::printf("%s %s warranty_start %s\n", state->serial.c_str(),
              homeport::ToString(state->outcome), state->warranty_start.c_str());
  return 0;
}
