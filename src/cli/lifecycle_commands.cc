// Device lifecycle: `revoke` and `reinstate` (a stolen device, a leaked device key, a batch
// recalled) and `device reset` (a refurbished, repaired or returned device starts a new
// warranty period). Each change is appended to the region's transparency log with it.
#include <cstdio>

#include "command.h"
#include "common/terminal_text.h"
#include "store/store.h"

namespace homeport::cli {
namespace {

constexpr size_t kMaxReasonBytes = 500;

struct SelectionArgs {
  std::string store, serial, batch, reason;
};

CLI::App* AddSelectionCommand(CLI::App& app, const std::string& name, const std::string& help,
                              const std::shared_ptr<SelectionArgs>& a) {
  auto* cmd = app.add_subcommand(name, help);
  cmd->add_option("--store", a->store, "store URL")->required();
  auto* serial = cmd->add_option("--serial", a->serial, "one device");
  auto* batch = cmd->add_option("--batch", a->batch, "every device of a batch");
  serial->excludes(batch);
  cmd->add_option("--reason", a->reason, "why (kept in the store, not published in the log)")
      ->required();
  return cmd;
}

Status CheckSelection(const SelectionArgs& a) {
  if (a.serial.empty() == a.batch.empty()) {
    return Status::InvalidArgument("name the devices with exactly one of --serial S or --batch B");
  }
  if (a.reason.empty() || a.reason.size() > kMaxReasonBytes) {
    return Status::InvalidArgument("--reason must have 1 to " + std::to_string(kMaxReasonBytes) +
                                   " bytes");
  }
  return Status::Ok();
}

void AddRevocationCommand(CLI::App& app, Commands& commands, bool revoke) {
  auto a = std::make_shared<SelectionArgs>();
  auto* cmd = AddSelectionCommand(
      app, revoke ? "revoke" : "reinstate",
      revoke ? "refuse a device's or batch's activations and check-ins (403 revoked); "
               "its history is kept"
             : "lift the revocation of a device or batch",
      a);
  cmd->callback([&commands, a, revoke] {
    commands.run = [a, revoke] {
      if (Status st = CheckSelection(*a); !st.ok()) return Fail(st);
      auto store = Store::OpenExisting(a->store);
      if (!store.ok()) return Fail(store.status());
      const DeviceSelection which = a->batch.empty() ? DeviceSelection::Serial(a->serial)
                                                     : DeviceSelection::Batch(a->batch);
      const TimePoint now = Env::Default()->Now();
      auto changed = (*store)->ChangeRevocations(which, a->reason, CliActor(), now, revoke);
      if (!changed.ok()) return Fail(changed.status());
      std::printf("%s: %lld device%s %s\n", TerminalSafe(DescribeSelection(which)).c_str(),
                  static_cast<long long>(*changed), *changed == 1 ? "" : "s",
                  revoke ? "revoked" : "reinstated");
      return 0;
    };
  });
}

}  // namespace

void AddLifecycleCommands(CLI::App& app, Commands& commands) {
  AddRevocationCommand(app, commands, true);
  AddRevocationCommand(app, commands, false);

  struct ResetArgs {
    std::string store, serial, reason;
  };
  auto r = std::make_shared<ResetArgs>();
  auto* device = app.add_subcommand("device", "device lifecycle");
  device->require_subcommand(1);
  auto* reset = device->add_subcommand(
      "reset", "end a device's warranty period: its next activation starts a new one");
  reset->add_option("--store", r->store, "store URL")->required();
  reset->add_option("--serial", r->serial, "the device")->required();
  reset->add_option("--reason", r->reason, "refurbished, repaired or returned")->required();
  reset->callback([&commands, r] {
    commands.run = [r] {
      if (!IsResetReason(r->reason)) {
        return Fail("--reason " + r->reason + ": expected refurbished, repaired or returned");
      }
      auto store = Store::OpenExisting(r->store);
      if (!store.ok()) return Fail(store.status());
      auto ended = (*store)->ResetDevice(r->serial, r->reason, CliActor(), Env::Default()->Now());
      if (!ended.ok()) return Fail(ended.status());
      std::printf("serial %s: warranty period from %s ended %s (%s); the next activation starts "
                  "a new one\n",
                  TerminalSafe(r->serial).c_str(), ended->warranty_start.c_str(),
                  ended->ended_day.c_str(), r->reason.c_str());
      return 0;
    };
  });
}

}  // namespace homeport::cli
