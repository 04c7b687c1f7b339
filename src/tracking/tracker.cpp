#include "tracking/tracker.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "crm/contacts.hpp"
#include "crm/crawl.hpp"
#include "domain/deeplink.hpp"
#include "domain/tracking.hpp"
#include "util/random.hpp"
#include "util/json_text.hpp"

namespace tglead::tracking {

using namespace tglead::domain;
using nlohmann::json;

namespace {

CampaignRules rules_of(const Campaign& campaign) { return CampaignRules{campaign.active, campaign.unsub_window}; }

MacroValues macro_values(const Campaign& campaign, const Lead& lead) {
  MacroValues v;
  v.click = lead.click;
  v.campaign = campaign.code;
  v.campaign_id = std::to_string(campaign.id);
  v.user = std::to_string(campaign.user_id);
  v.lead = std::to_string(lead.id);
  v.subscriber = std::to_string(lead.subscriber);
  v.username = lead.username;
  v.first_name = lead.first_name;
  v.last_name = lead.last_name;
  v.chat = std::to_string(campaign.chat_id);
  return v;
}

// §5 status messages: the campaign's text for each status the lead entered, sent
// by the bot in the subscriber's private chat (only while the campaign runs).
void queue_status_messages(storage::WriteTx& tx, const Campaign& campaign, const Lead& lead,
                           const std::vector<Entered>& entered, std::int64_t now) {
  if (!campaign.active) return;
  for (const Entered& e : entered) {
    const std::string& text = campaign.status_messages[e.status];
    if (text.empty()) continue;
    json payload{{"chat_id", lead.subscriber},
                 {"text", expand_text_template(text, macro_values(campaign, lead))},
                 {"parse_mode", "Markdown"}};
    tx.enqueue_telegram(campaign.bot_id, "sendMessage", payload.dump(), lead.subscriber, now);
  }
}

// Persists what the lead went through: one transition row per entered status
// (for statistics) and one postback per status that has a template.
void record(storage::WriteTx& tx, const User& owner, const Campaign& campaign, const Lead& lead,
            const std::vector<Entered>& entered, std::int64_t now) {
  for (const Entered& e : entered) {
    tx.insert_transition(lead, e.status, e.time, e.first, e.reconciled);
    const std::string& tmpl = choose_template(campaign.postbacks, owner.postbacks, e.status);
    if (tmpl.empty()) continue;
    MacroValues values = macro_values(campaign, lead);
    values.status = std::string(status_name(e.status));
    values.status_code = std::to_string(static_cast<int>(e.status));
    values.time = std::to_string(e.time);
    Postback p;
    p.tid = util::random_hex(12);
    values.tid = p.tid;
    p.lead_id = lead.id;
    p.user_id = lead.user_id;
    p.status = e.status;
    p.url = expand_url_template(tmpl, values);
    p.state = e.skip_reason.empty() ? PostbackState::Pending : PostbackState::Skipped;
    p.reason = e.skip_reason;
    p.created = now;
    p.next_attempt = now;
    tx.insert_postback(p);
  }
  queue_status_messages(tx, campaign, lead, entered, now);
}

void copy_identity(Lead& lead, const telegram::User& user) {
  lead.username = user.username;
  lead.first_name = user.first_name;
  lead.last_name = user.last_name;
}

void queue_welcome(storage::WriteTx& tx, const Campaign& campaign, const Lead& lead, std::int64_t now) {
  const Welcome& w = campaign.welcome;
  if (w.text.empty() && w.image.empty()) return;
  MacroValues values = macro_values(campaign, lead);
  json payload{{"chat_id", lead.subscriber}};
  std::string text = expand_text_template(w.text, values);
  json keyboard = json::array();
  for (const Button& button : w.buttons) {
    if (button.text.empty() || button.url.empty()) continue;
    keyboard.push_back(json::array(
        {{{"text", expand_text_template(button.text, values)}, {"url", expand_url_template(button.url, values)}}}));
  }
  if (!keyboard.empty()) payload["reply_markup"] = {{"inline_keyboard", keyboard}};
  // The join button needs an invite link the bot creates itself; the sender
  // resolves it (and remembers it on the campaign) right before sending.
  if (!w.join_button.empty()) {
    payload["tglead_join_button"] = expand_text_template(w.join_button, values);
    payload["tglead_campaign"] = campaign.id;
  }
  std::string method = "sendMessage";
  if (!w.image.empty()) {
    method = "sendPhoto";
    payload["photo"] = w.image;
    if (!text.empty()) payload["caption"] = text;
  } else {
    payload["text"] = text;
  }
  if (!text.empty()) payload["parse_mode"] = "Markdown";
  tx.enqueue_telegram(campaign.bot_id, method, payload.dump(), lead.subscriber, now);
}

// §8.1: everyone who starts a campaign link becomes (or updates) a CRM contact, in the same unit.
void record_contact(storage::WriteTx& tx, const Campaign& campaign, const Lead& lead, const telegram::User& from,
                    std::int64_t now) {
  crm::TelegramUser user{from.id, from.username, from.first_name, from.last_name, from.language_code};
  json detail{{"campaign", campaign.id}, {"code", campaign.code}, {"lead", lead.id}, {"click", lead.click}};
  crm::record_telegram_user(tx, campaign.user_id, user, crm::Source::Campaign, "campaign_start",
                            util::json_text(detail), now);
}

// Telegram's retries can deliver a subscriber's join (or request, leave) before
// the /start that led to it. Such events were journaled as organic; dated at or
// after the start, they belong to the new lead and are replayed in date order.
void adopt_earlier_arrivals(storage::WriteTx& tx, const User& owner, const Campaign& campaign, Lead& lead,
                            std::int64_t now) {
  for (const auto& event :
       tx.organic_journal_since(campaign.bot_id, campaign.chat_id, lead.subscriber, lead.start_time)) {
    std::vector<Entered> entered;
    switch (event.action) {
      case JournalAction::Join:
      case JournalAction::Approve:
        entered = join(lead, rules_of(campaign), event.time);
        break;
      case JournalAction::Leave:
        entered = leave(lead, rules_of(campaign), event.time, false);
        break;
      case JournalAction::Ban:
        entered = leave(lead, rules_of(campaign), event.time, true);
        break;
      case JournalAction::Request:
        entered = request_join(lead, rules_of(campaign), event.time);
        break;
    }
    record(tx, owner, campaign, lead, entered, now);
    tx.mark_journal_paid(event);
  }
}

Outcome on_start(storage::WriteTx& tx, const Bot& bot, const telegram::Message& message, std::int64_t now) {
  StartCommand command = parse_start_command(message.text, bot.username);
  std::optional<Campaign> campaign;
  switch (command.kind) {
    case StartKind::NotStart:
      return Outcome::Ignored;
    case StartKind::InvalidPayload:
      spdlog::info("bot {}: /start with an invalid payload from {}", bot.id, message.from.id);
      return Outcome::Ignored;
    case StartKind::Bare: {
      auto active = tx.active_campaigns_of_bot(bot.id);
      if (active.size() != 1) return Outcome::Ignored;
      campaign = std::move(active.front());
      break;
    }
    case StartKind::Payload:
      campaign = tx.campaign_by_code(bot.id, command.code);
      if (!campaign) {
        spdlog::info("bot {}: /start with unknown campaign code '{}' from {}", bot.id, command.code, message.from.id);
        return Outcome::Ignored;
      }
      break;
  }
  auto owner = tx.user(campaign->user_id);
  if (!owner) return Outcome::Ignored;

  std::optional<Lead> lead = tx.lead(campaign->id, message.from.id);
  if (!lead) {
    if (!campaign->active) return Outcome::Ignored;  // rule 2: paused campaigns make no new leads
    Lead fresh;
    fresh.user_id = campaign->user_id;
    fresh.campaign_id = campaign->id;
    fresh.subscriber = message.from.id;
    copy_identity(fresh, message.from);
    auto entered = start_new_lead(fresh, command.click, message.date);
    fresh.id = tx.insert_lead(fresh);
    record(tx, *owner, *campaign, fresh, entered, now);
    adopt_earlier_arrivals(tx, *owner, *campaign, fresh, now);
    tx.update_lead(fresh);
    lead = std::move(fresh);
  } else {
    copy_identity(*lead, message.from);
    auto entered = restart_lead(*lead, rules_of(*campaign), command.click, message.date);
    tx.update_lead(*lead);
    record(tx, *owner, *campaign, *lead, entered, now);
  }
  if (campaign->active) queue_welcome(tx, *campaign, *lead, now);
  record_contact(tx, *campaign, *lead, message.from, now);
  return Outcome::Applied;
}

Outcome on_group_message(storage::WriteTx& tx, const Bot& bot, const telegram::Message& message, std::int64_t now) {
  // Rule 13: the old group announces the new id, and the new supergroup the old one.
  if (message.migrate_to_chat_id != 0) {
    tx.migrate_chat(bot.id, message.chat.id, message.migrate_to_chat_id);
    return Outcome::Applied;
  }
  if (message.migrate_from_chat_id != 0) {
    tx.migrate_chat(bot.id, message.migrate_from_chat_id, message.chat.id);
    return Outcome::Applied;
  }
  // §8.2: authors are collected only in chats the account crawls; the author
  // rules come first so messages nobody could collect skip the lookup.
  if (const telegram::User* author = crm::message_author(message)) {
    crm::record_sighting(tx, bot.user_id, bot.id, message.chat, *author, crm::Via::Message, now);
  }
  return Outcome::Ignored;
}

struct ChatLead {
  Campaign campaign;
  Lead lead;
};

std::vector<ChatLead> leads_in_chat(storage::WriteTx& tx, const Bot& bot, std::int64_t chat_id,
                                    std::int64_t subscriber) {
  std::vector<ChatLead> out;
  for (auto& campaign : tx.campaigns_of_chat(bot.id, chat_id)) {
    if (auto lead = tx.lead(campaign.id, subscriber)) out.push_back(ChatLead{std::move(campaign), std::move(*lead)});
  }
  return out;
}

void journal(storage::WriteTx& tx, const Bot& bot, std::int64_t chat_id, const telegram::User& subject,
             JournalAction action, bool paid, std::int64_t time) {
  tx.insert_journal(JournalEntry{0, bot.id, chat_id, subject.id, subject.username, action, paid, time});
}

Outcome on_chat_member(storage::WriteTx& tx, const Bot& bot, const telegram::ChatMemberUpdated& update,
                       std::int64_t now) {
  const telegram::User& subject = update.new_member.user;
  crm::record_sighting(tx, bot.user_id, bot.id, update.chat, subject, crm::Via::Member, now);
  MemberChange change =
      classify_member_change({update.old_member.status, update.old_member.is_member},
                             {update.new_member.status, update.new_member.is_member}, update.from.id, subject.id);
  if (change == MemberChange::None) return Outcome::Ignored;

  auto leads = leads_in_chat(tx, bot, update.chat.id, subject.id);
  std::optional<User> owner = tx.user(bot.user_id);
  bool any_hold = false;
  for (auto& item : leads) {
    if (item.lead.status == LeadStatus::Hold) any_hold = true;
    std::vector<Entered> entered;
    switch (change) {
      case MemberChange::Join:
        entered = join(item.lead, rules_of(item.campaign), update.date);
        break;
      case MemberChange::Leave:
        entered = leave(item.lead, rules_of(item.campaign), update.date, false);
        break;
      case MemberChange::Kick:
        entered = leave(item.lead, rules_of(item.campaign), update.date, true);
        break;
      case MemberChange::None:
        break;
    }
    copy_identity(item.lead, subject);
    tx.update_lead(item.lead);
    if (owner) record(tx, *owner, item.campaign, item.lead, entered, now);
  }

  JournalAction action = JournalAction::Join;
  if (change == MemberChange::Join) {
    bool link_requests = update.invite_link && update.invite_link->creates_join_request;
    action = join_journal_action(update.via_join_request, link_requests, any_hold);
  } else {
    action = change == MemberChange::Leave ? JournalAction::Leave : JournalAction::Ban;
  }
  journal(tx, bot, update.chat.id, subject, action, !leads.empty(), update.date);
  return Outcome::Applied;
}

Outcome on_join_request(storage::WriteTx& tx, const Bot& bot, const telegram::ChatJoinRequest& request,
                        std::int64_t now) {
  tx.set_chat_requests(bot.id, request.chat.id);
  crm::record_sighting(tx, bot.user_id, bot.id, request.chat, request.from, crm::Via::Request, now);
  auto leads = leads_in_chat(tx, bot, request.chat.id, request.from.id);
  std::optional<User> owner = tx.user(bot.user_id);
  bool approve = false;
  for (auto& item : leads) {
    auto entered = request_join(item.lead, rules_of(item.campaign), request.date);
    copy_identity(item.lead, request.from);
    tx.update_lead(item.lead);
    if (owner) record(tx, *owner, item.campaign, item.lead, entered, now);
    approve = approve || (item.campaign.approve_requests && item.campaign.active);
  }
  if (approve) {
    json payload{{"chat_id", request.chat.id}, {"user_id", request.from.id}};
    tx.enqueue_telegram(bot.id, "approveChatJoinRequest", payload.dump(), 0, now);
  }
  journal(tx, bot, request.chat.id, request.from, JournalAction::Request, !leads.empty(), request.date);
  return Outcome::Applied;
}

bool is_admin_status(const std::string& status) { return status == "administrator" || status == "creator"; }

void notify_lost_admin(storage::WriteTx& tx, const Bot& bot, const telegram::Chat& chat, std::int64_t now) {
  std::string title = chat.title.empty() ? std::to_string(chat.id) : chat.title;
  std::string text = fmt::format(
      "Bot @{} lost administrator rights in \"{}\" ({}). Its campaigns there cannot track joins and leaves until "
      "you promote the bot again.",
      bot.username, title, chat.id);
  tx.insert_notice(bot.user_id, text, now);
  auto owner = tx.user(bot.user_id);
  if (owner && owner->telegram_id != 0) {
    json payload{{"chat_id", owner->telegram_id}, {"text", text}};
    tx.enqueue_telegram(bot.id, "sendMessage", payload.dump(), owner->telegram_id, now);
  }
}

Outcome on_my_chat_member(storage::WriteTx& tx, const Bot& bot, const telegram::ChatMemberUpdated& update,
                          std::int64_t now) {
  const std::string& status = update.new_member.status;
  if (update.chat.type == "private") {
    // Rule 12: in a private chat, kicked means the subscriber blocked the bot.
    if (status == "kicked") tx.set_subscriber_blocked(bot.id, update.chat.id, true, now);
    if (status == "member") tx.set_subscriber_blocked(bot.id, update.chat.id, false, now);
    if (status == "kicked" || status == "member") {
      crm::set_telegram_blocked(tx, bot.user_id, update.chat.id, status == "kicked", now);
    }
    return Outcome::Applied;
  }
  if (is_admin_status(status)) {
    Chat chat;
    chat.bot_id = bot.id;
    chat.id = update.chat.id;
    chat.title = update.chat.title;
    chat.type = update.chat.type;
    chat.username = update.chat.username;
    chat.ok = true;
    tx.upsert_chat(chat);
    tx.refresh_bot_status(bot.id);
    return Outcome::Applied;
  }
  if (is_admin_status(update.old_member.status)) {
    tx.set_chat_ok(bot.id, update.chat.id, false);
    tx.refresh_bot_status(bot.id);
    notify_lost_admin(tx, bot, update.chat, now);
    return Outcome::Applied;
  }
  return Outcome::Ignored;
}

}  // namespace

Outcome apply_member_check(storage::WriteTx& tx, std::int64_t lead_id, const MemberSnapshot& member,
                           std::int64_t check_time) {
  auto lead = tx.lead_by_id(lead_id);
  if (!lead) return Outcome::Ignored;
  auto campaign = tx.campaign(lead->campaign_id);
  auto owner = tx.user(lead->user_id);
  if (!campaign || !owner) return Outcome::Ignored;
  auto entered = reconcile(*lead, rules_of(*campaign), member, check_time);
  if (entered.empty()) return Outcome::Ignored;
  tx.update_lead(*lead);
  record(tx, *owner, *campaign, *lead, entered, check_time);
  // The journal shows what getChatMember revealed, like an observed event.
  JournalAction action = JournalAction::Join;
  if (lead->status == LeadStatus::Cancel) action = JournalAction::Leave;
  if (lead->status == LeadStatus::Trash) action = JournalAction::Ban;
  tx.insert_journal(
      JournalEntry{0, campaign->bot_id, campaign->chat_id, lead->subscriber, lead->username, action, true, check_time});
  return Outcome::Applied;
}

Outcome apply_update(storage::WriteTx& tx, const Bot& bot, const telegram::Update& update, std::int64_t now) {
  if (!tx.mark_update_seen(bot.id, update.update_id, now)) return Outcome::Duplicate;
  switch (update.kind) {
    case telegram::UpdateKind::Message:
      if (update.message.chat.type == "private") return on_start(tx, bot, update.message, now);
      return on_group_message(tx, bot, update.message, now);
    case telegram::UpdateKind::ChatMember:
      return on_chat_member(tx, bot, update.member, now);
    case telegram::UpdateKind::MyChatMember:
      return on_my_chat_member(tx, bot, update.member, now);
    case telegram::UpdateKind::ChatJoinRequest:
      return on_join_request(tx, bot, update.join_request, now);
    case telegram::UpdateKind::Other:
      return Outcome::Ignored;
  }
  return Outcome::Ignored;
}

}  // namespace tglead::tracking
