// The tables behind numbering_plans.h, kept sorted so lookups are a binary search.
#include "privacy/numbering_plans.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace homeport::privacy {
namespace {

// Mobile country codes assigned in the ITU-T E.212 list, geographic and shared (9xx). Codes
// without ITU assignment (289 Abkhazia), test (001) and private-network (999) codes are left
// out on purpose: an "IMSI" with them is not a public subscriber identity.
// clang-format off
constexpr auto kAssignedMccs = std::to_array<uint16_t>({
    // Europe
    202, 204, 206, 208, 212, 213, 214, 216, 218, 219, 220, 221, 222, 225, 226, 228, 230, 231,
    232, 234, 235, 238, 240, 242, 244, 246, 247, 248, 250, 255, 257, 259, 260, 262, 266, 268,
    270, 272, 274, 276, 278, 280, 282, 283, 284, 286, 288, 290, 292, 293, 294, 295, 297,
    // North America and the Caribbean
    302, 308, 310, 311, 312, 313, 314, 315, 316, 330, 332, 334, 338, 340, 342, 344, 346, 348,
    350, 352, 354, 356, 358, 360, 362, 363, 364, 365, 366, 368, 370, 372, 374, 376,
    // Asia and the Middle East
    400, 401, 402, 404, 405, 406, 410, 412, 413, 414, 415, 416, 417, 418, 419, 420, 421, 422,
    424, 425, 426, 427, 428, 429, 430, 431, 432, 434, 436, 437, 438, 440, 441, 450, 452, 454,
    455, 456, 457, 460, 461, 466, 467, 470, 472,
    // Oceania and South-East Asia
    502, 505, 510, 514, 515, 520, 525, 528, 530, 536, 537, 539, 540, 541, 542, 543, 544, 545,
    546, 547, 548, 549, 550, 551, 552, 553, 554, 555,
    // Africa
    602, 603, 604, 605, 606, 607, 608, 609, 610, 611, 612, 613, 614, 615, 616, 617, 618, 619,
    620, 621, 622, 623, 624, 625, 626, 627, 628, 629, 630, 631, 632, 633, 634, 635, 636, 637,
    638, 639, 640, 641, 642, 643, 645, 646, 647, 648, 649, 650, 651, 652, 653, 654, 655, 657,
    658, 659,
    // South and Central America
    702, 704, 706, 708, 710, 712, 714, 716, 722, 724, 730, 732, 734, 736, 738, 740, 742, 744,
    746, 748, 750,
    // International networks (satellite, maritime, ...); British Indian Ocean Territory
    901, 902, 991, 995,
});
// clang-format on

// GSMA reporting bodies (first two IMEI digits, GSMA TS.06 Appendix A). Allocating today: 01
// PTCRB, 35 BABT, 86 TAF, 98 (a few early TACs), 99 GHA. Former bodies whose TACs are still in
// phones: 30 Iridium, 33 DGPT, 44 BABT, 45 NTA, 49-54 German bodies, 91 MSAI. Left out: 00 and
// 02-09 (test IMEIs) and 10 (DECT handsets). Nearly every handset of the last twenty years
// starts with 35 or 86.
constexpr auto kImeiReportingBodies =
    std::to_array<uint8_t>({1, 30, 33, 35, 44, 45, 49, 50, 51, 52, 53, 54, 86, 91, 98, 99});

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

static_assert(std::is_sorted(kAssignedMccs.begin(), kAssignedMccs.end()));
static_assert(std::is_sorted(kImeiReportingBodies.begin(), kImeiReportingBodies.end()));

}  // namespace

bool StartsWithAssignedMcc(std::string_view digits) {
  if (digits.size() < 3 || !AllDigits(digits.substr(0, 3))) return false;
  auto mcc =
      static_cast<uint16_t>((digits[0] - '0') * 100 + (digits[1] - '0') * 10 + (digits[2] - '0'));
  return std::binary_search(kAssignedMccs.begin(), kAssignedMccs.end(), mcc);
}

bool StartsWithImeiReportingBody(std::string_view digits) {
  if (digits.size() < 2 || !AllDigits(digits.substr(0, 2))) return false;
  auto rbi = static_cast<uint8_t>((digits[0] - '0') * 10 + (digits[1] - '0'));
  return std::binary_search(kImeiReportingBodies.begin(), kImeiReportingBodies.end(), rbi);
}

}  // namespace homeport::privacy
