// /api/stats/*: summary counters and the daily series (§6.3 definitions).
#include <algorithm>
#include <limits>

#include "api/endpoint.hpp"
#include "domain/stats_math.hpp"
#include "util/time_format.hpp"

namespace tglead::api {

using nlohmann::json;

namespace {

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kMaxSeriesDays = 3660;
constexpr std::int64_t kLastSecondOf9999 = 253402300799;

storage::StatsScope scope_of(Call& call) {
  storage::StatsScope scope;
  scope.user_id = call.user.id;
  if (auto id = call.params.integer("campaign")) {
    auto campaign = owned_campaign(call, *id);
    scope.campaign_id = campaign.id;
    scope.bot_id = campaign.bot_id;
    scope.chat_id = campaign.chat_id;
  }
  return scope;
}

http::Response summary(Call& call) {
  auto scope = scope_of(call);
  std::int64_t from = call.params.integer("from").value_or(0);
  std::int64_t to = call.params.integer("to").value_or(std::numeric_limits<std::int64_t>::max());
  if (from > to) throw ApiError::param("from must not be after to");
  auto c = call.services.store.stats_summary(scope, from, to);
  return ok({{"starts", c.starts},
             {"holds", c.holds},
             {"confirms", c.confirms},
             {"cancels", c.cancels},
             {"trashes", c.trashes},
             {"cr", domain::conversion_rate(c.confirms, c.starts)},
             {"organic_joins", c.organic_joins},
             {"organic_leaves", c.organic_leaves}});
}

http::Response series(Call& call) {
  auto scope = scope_of(call);
  std::int64_t now = call.services.clock();
  std::int64_t to = call.params.integer("to").value_or(now);
  // `to` is checked before the default `from` is derived from it: 30 days before INT64_MIN
  // is signed overflow.
  if (to < 0) throw ApiError::param("to must not be negative");
  if (to > kLastSecondOf9999) throw ApiError::param("to is beyond the year 9999");
  std::int64_t from =
      call.params.integer("from").value_or(std::max<std::int64_t>(0, util::utc_day_start(to) - 29 * kDay));
  if (from > to) throw ApiError::param("from must not be after to");
  if (from < 0) throw ApiError::param("from must not be negative");
  std::int64_t first_day = util::utc_day_start(from);
  std::int64_t last_day = util::utc_day_start(to);
  if ((last_day - first_day) / kDay >= kMaxSeriesDays) throw ApiError::param("the range is longer than 10 years");
  json data = json::array();
  for (const auto& day : call.services.store.stats_series(scope, first_day, last_day, util::utc_day_start(now))) {
    data.push_back({{"date", util::format_date(day.day)},
                    {"starts", day.counts.starts},
                    {"confirms", day.counts.confirms},
                    {"cancels", day.counts.cancels},
                    {"trashes", day.counts.trashes},
                    {"organic", day.counts.organic_joins}});
  }
  return ok(std::move(data));
}

}  // namespace

void add_stats_endpoints(EndpointMap& map) {
  map["/api/stats/summary.json"] = summary;
  map["/api/stats/series.json"] = series;
}

}  // namespace tglead::api
