#include "domain/tracker_presets.hpp"

#include <array>

namespace tglead::domain {

namespace {

struct PresetSource {
  const char* id;
  const char* name;
  const char* click_macro;
  const char* base;
  std::array<const char*, 5> queries;  // wait, hold, approve, cancel, trash
};

// Status mapping of reference/trackers.md §3.8. {tid} is sent wherever the
// tracker dedups by transaction id, so a re-join or a new click is a new conversion.
constexpr std::array<PresetSource, 7> kPresets = {{
    {"keitaro", "Keitaro", "{subid}", "https://your-keitaro.example/POSTBACK_KEY/postback",
     {"subid={click}&status=lead&tid={tid}", "subid={click}&status=lead&tid={tid}",
      "subid={click}&status=sale&tid={tid}", "subid={click}&status=rejected&tid={tid}",
      "subid={click}&status=rejected&tid={tid}"}},
    {"binom", "Binom", "{clickid}", "https://your-binom.example/click.php",
     {"cnv_id={click}&cnv_status=start", "cnv_id={click}&cnv_status=request", "cnv_id={click}&cnv_status=approve",
      "cnv_id={click}&cnv_status=reject", "cnv_id={click}&cnv_status=trash"}},
    {"voluum", "Voluum", "{clickid}", "https://your-voluum.example/postback",
     {"cid={click}&et=start&txid={tid}", "cid={click}&et=request&txid={tid}", "cid={click}&txid={tid}",
      "cid={click}&et=cancel&txid={tid}", "cid={click}&et=trash&txid={tid}"}},
    {"redtrack", "RedTrack", "{clickid}", "https://your-redtrack.example/postback",
     {"clickid={click}&type=Start&rdtk_event_id={tid}", "clickid={click}&status=pending&rdtk_event_id={tid}",
      "clickid={click}&status=approved&rdtk_event_id={tid}", "clickid={click}&status=declined&rdtk_event_id={tid}",
      "clickid={click}&status=declined&rdtk_event_id={tid}"}},
    {"bemob", "BeMob", "{clickId}", "https://your-bemob.example/postback",
     {"cid={click}&status=new&txid={tid}", "cid={click}&status=new&txid={tid}",
      "cid={click}&status=approved&txid={tid}", "cid={click}&status=declined&txid={tid}",
      "cid={click}&status=declined&txid={tid}"}},
    {"peerclick", "PeerClick", "{clickid}", "https://pstb.peerclick.com/postback",
     {"cid={click}&status=wait&txid={tid}", "cid={click}&status=hold&txid={tid}",
      "cid={click}&status=approve&txid={tid}", "cid={click}&status=cancel&txid={tid}",
      "cid={click}&status=trash&txid={tid}"}},
    {"altercpa", "AlterCPA", "{click}", "https://www.altercpa.red/api/tracker/postback.json?id=YOUR_TOKEN",
     {"click={click}&status=new&uid={tid}", "click={click}&status=hold&uid={tid}",
      "click={click}&status=approve&uid={tid}", "click={click}&status=cancel&uid={tid}",
      "click={click}&status=trash&uid={tid}"}},
}};

}  // namespace

std::vector<TrackerPreset> tracker_presets(std::string_view base) {
  std::vector<TrackerPreset> out;
  for (const auto& source : kPresets) {
    TrackerPreset preset{source.id, source.name, source.click_macro, source.base, {}};
    std::string endpoint = base.empty() ? std::string(source.base) : std::string(base);
    char joiner = endpoint.find('?') == std::string::npos ? '?' : '&';
    for (std::size_t i = 0; i < source.queries.size(); ++i) {
      preset.postbacks.by_status[i] = endpoint + joiner + source.queries[i];
    }
    out.push_back(std::move(preset));
  }
  return out;
}

}  // namespace tglead::domain
