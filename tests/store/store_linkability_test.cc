// Conformance: what the stored tables could link (S4). These tests read under the Store
// interface with each backend's own SQL — sqlite3 for a file, libpq for a schema — as anyone
// holding a copy of the database would.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "store/store.h"
#include "store_conformance.h"

namespace homeport {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::StoreTest;

// Every row of `sql`'s first column, as text, on the store behind `url`.
std::vector<std::string> Column(const std::string& url, const std::string& sql) {
  std::vector<std::string> out;
  if (url.rfind("sqlite:", 0) == 0) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(url.substr(7).c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << url;
      sqlite3_close(db);
      return out;
    }
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
    } else {
      while (sqlite3_step(stmt) == SQLITE_ROW) {
        auto* text = sqlite3_column_text(stmt, 0);
        out.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
      }
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
  }
  PGconn* c = PQconnectdb(url.c_str());
  PGresult* r = PQexec(c, sql.c_str());
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    ADD_FAILURE() << sql << ": " << PQresultErrorMessage(r);
  } else {
    for (int i = 0; i < PQntuples(r); ++i) out.emplace_back(PQgetvalue(r, i, 0));
  }
  PQclear(r);
  PQfinish(c);
  return out;
}

bool IsSqlite(const std::string& url) { return url.rfind("sqlite:", 0) == 0; }

std::vector<std::string> Tables(const std::string& url) {
  return Column(url, IsSqlite(url) ? "SELECT name FROM sqlite_master WHERE type = 'table'"
                                   : "SELECT table_name FROM information_schema.tables"
                                     " WHERE table_schema = current_schema()");
}

std::vector<std::string> Columns(const std::string& url, const std::string& table) {
  return Column(url, IsSqlite(url) ? "SELECT name FROM pragma_table_info('" + table + "')"
                                   : "SELECT column_name FROM information_schema.columns"
                                     " WHERE table_schema = current_schema() AND table_name = '" +
                                         table + "'");
}

std::vector<std::string> Values(const std::string& url, const std::string& table,
                                const std::string& column) {
  return Column(url, "SELECT CAST(" + column + " AS TEXT) FROM " + table);
}

class StoreLinkability : public StoreTest {
 protected:
  // A store holding everything a region stores: enrollments, an activation at an odd second, a
  // check-in, a UX document, an erasure and an operator's read.
  void FillEverything() {
    auto devices = EnrollBatch("B1", 2);
    serial_ = devices[0].serial;
    public_key_ = devices[0].device_key.ToBase64Url();
    TimePoint activated = Day1(hours(9)) + minutes(17) + seconds(42) + milliseconds(123);
    TimePoint checked_in = Day1(hours(40)) + minutes(3) + seconds(5);
    ASSERT_EQ(CommitOne(Act(serial_, "1.0.0", 1), activated).outcome, RecordOutcome::kCreated);
    ASSERT_EQ(CommitOne(Act(serial_, "1.0.1", 2), checked_in).outcome, RecordOutcome::kCheckedIn);
    WriteBatch uxp;
    uxp.documents = {{"00000000-0000-4000-8000-000000000001", "homeport-agent", "diagnostics",
                      "client-a", "2026-11-30", "2027-02-28", R"({"metrics":{}})", {}}};
    uxp.wrong_region = {{"cn", "china"}};
    ASSERT_TRUE(store_->Commit(uxp, checked_in).ok());
    ASSERT_TRUE(Lookup(serial_, checked_in + minutes(1)).has_value());
  }

  std::string serial_;
  std::string public_key_;
};
HOMEPORT_STORE_CONFORMANCE(StoreLinkability);

// The operator access log records when an operator read, not when a device did anything; its
// times are the operator's (docs/operations.md). Document payloads are checked where they are
// made: the submit path cuts ping_info times to the day.
bool Exempt(const std::string& table, const std::string& column) {
  return table == "access_log" || table == "schema_migrations" ||
         (table == "uxp_documents" && column == "payload");
}

TEST_P(StoreLinkability, NoStoredTimeAboutADeviceIsFinerThanADay) {
  FillEverything();
  const std::regex time_of_day(R"(\d{2}:\d{2})");
  const std::regex day(R"(\d{4}-\d{2}-\d{2})");
  int day_columns = 0;
  for (const auto& table : Tables(url_)) {
    for (const auto& column : Columns(url_, table)) {
      if (Exempt(table, column)) continue;
      const bool is_day_column =
          column.find("day") != std::string::npos || column == "warranty_start";
      if (is_day_column) ++day_columns;
      for (const auto& value : Values(url_, table, column)) {
        EXPECT_FALSE(std::regex_search(value, time_of_day))
            << table << "." << column << " holds a time of day: " << value;
        if (is_day_column) {
          EXPECT_TRUE(std::regex_match(value, day))
              << table << "." << column << " is not a YYYY-MM-DD day: " << value;
        }
      }
      EXPECT_EQ(column.find("_at"), std::string::npos)
          << table << "." << column << " is named as a timestamp";
    }
  }
  EXPECT_GE(day_columns, 5) << "warranty_start, activated_day, last_checkin_day, received_day, "
                               "expires_day were not all found";
}

TEST_P(StoreLinkability, NoColumnJoinsUxDocumentsToDevices) {
  FillEverything();
  std::set<std::string> device_columns, ux_columns;
  for (const auto& table : Tables(url_)) {
    auto columns = Columns(url_, table);
    auto has = [&](const char* c) {
      return std::find(columns.begin(), columns.end(), c) != columns.end();
    };
    const bool identity = has("serial") || has("public_key");
    const bool ux = has("client_id") || has("doc_id");
    EXPECT_FALSE(identity && ux) << table << " holds both a device identity and a UX client id";
    if (identity) device_columns.insert(columns.begin(), columns.end());
    if (ux) ux_columns.insert(columns.begin(), columns.end());
  }
  ASSERT_FALSE(device_columns.empty());
  ASSERT_FALSE(ux_columns.empty());
  for (const auto& c : ux_columns) {
    EXPECT_EQ(device_columns.count(c), 0u) << "column " << c << " is in both worlds";
  }
  // And no value of a UX document names the device.
  for (const auto& c : ux_columns) {
    for (const auto& value : Values(url_, "uxp_documents", c)) {
      EXPECT_EQ(value.find(serial_), std::string::npos) << "uxp_documents." << c;
      EXPECT_EQ(value.find(public_key_), std::string::npos) << "uxp_documents." << c;
    }
  }
}

}  // namespace
}  // namespace homeport
