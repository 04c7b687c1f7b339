// Parsing of the /start command a subscriber sends the bot in its private
// chat after opening a deep link https://t.me/<bot>?start=<CODE>-<click>
// (PRODUCT.md §3.1, telegram.md §1.3).
//
// Accepted forms: "/start", "/start PAYLOAD", "/start@BotName PAYLOAD". The
// payload must be Telegram's [A-Za-z0-9_-]{1,64}; it is split on the first
// '-' into the campaign code and the click id (which may itself contain '-'
// and '_'). The code is returned as is: whether it names a campaign is the
// caller's lookup, and is_valid_campaign_code() is the rule for creating one.
//
// Anything that is not this command ("/started", "hello", another bot's
// "/start@OtherBot") is NotStart so the caller can ignore it silently;
// a /start with a payload Telegram itself would never produce is
// InvalidPayload, which callers log (it is usually a hand-edited link).
//
// Thread-safety: pure functions; safe from any thread.

#pragma once

#include <string>
#include <string_view>

namespace tglead::domain {

enum class StartKind {
  NotStart,        // not a /start command addressed to this bot
  Bare,            // "/start" with no payload
  Payload,         // valid payload; `code` and `click` are set
  InvalidPayload,  // a payload outside [A-Za-z0-9_-]{1,64}
};

struct StartCommand {
  StartKind kind = StartKind::NotStart;
  std::string code;   // left of the first '-' (may be empty: "/start -abc")
  std::string click;  // right of the first '-'; "" without a '-'
};

// `text` is the message text. `bot_username` is this bot's username with or
// without a leading '@'; mentions compare case-insensitively, as Telegram
// usernames do. With an empty `bot_username` any mention is accepted (the
// message arrived in our private chat, so it is for us anyway).
//
// The command word itself is matched case-insensitively ("/Start" typed by
// hand still works); whitespace (space, tab, CR, LF) around the payload is
// ignored, since some clients append a trailing space.
StartCommand parse_start_command(std::string_view text, std::string_view bot_username);

// [A-Za-z0-9]{1,16}: the campaign code rule (PRODUCT.md §2). No '-' (it is
// the separator) and no '_' (kept free for future use by the link format).
bool is_valid_campaign_code(std::string_view code);

}  // namespace tglead::domain
