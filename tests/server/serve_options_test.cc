// `homeport serve` option checks made at start-up, before anything is opened.
#include <gtest/gtest.h>

#include "server/serve.h"

namespace homeport {
namespace {

ServeOptions Valid() {
  ServeOptions o;
  o.region = "sg";
  o.store_url = "sqlite:/nonexistent/sg.db";
  return o;
}

TEST(ServeOptions, DefaultConnectionBoundsAreAccepted) {
  EXPECT_TRUE(ValidateServeOptions(Valid()).ok());
  HttpServerOptions http = HttpOptions(Valid());
  EXPECT_EQ(http.header_timeout, std::chrono::seconds(10));
  EXPECT_EQ(http.idle_timeout, std::chrono::seconds(60));
  EXPECT_EQ(http.body_timeout, std::chrono::seconds(60));
  EXPECT_EQ(http.max_connections, 0u);  // sized to the open-file limit at start
}

TEST(ServeOptions, DeadlineOutOfRangeIsRefusedNamingTheFlag) {
  struct Case {
    int ServeOptions::*field;
    const char* flag;
  };
  for (auto [field, flag] : {Case{&ServeOptions::header_timeout_seconds, "--header-timeout"},
                             Case{&ServeOptions::idle_timeout_seconds, "--idle-timeout"},
                             Case{&ServeOptions::body_timeout_seconds, "--body-timeout"}}) {
    for (int bad : {0, -5, 3601}) {
      ServeOptions o = Valid();
      o.*field = bad;
      Status st = ValidateServeOptions(o);
      EXPECT_TRUE(st.IsInvalidArgument()) << flag << " " << bad;
      EXPECT_NE(st.message().find(flag), std::string::npos) << st.message();
    }
  }
}

TEST(ServeOptions, NegativeMaxConnectionsIsRefused) {
  ServeOptions o = Valid();
  o.max_connections = -1;
  Status st = ValidateServeOptions(o);
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_NE(st.message().find("--max-connections"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace homeport
