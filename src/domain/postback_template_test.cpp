#include "domain/postback_template.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace tglead::domain {
namespace {

MacroValues sample() {
  MacroValues v;
  v.click = "abc123";
  v.status = "approve";
  v.status_code = "2";
  v.campaign = "CAMP42";
  v.campaign_id = "7";
  v.user = "3";
  v.lead = "1001";
  v.subscriber = "123456789";
  v.username = "ivan_petrov";
  v.first_name = "Иван";
  v.last_name = "O'Neil & Co";
  v.chat = "-1001234567890";
  v.time = "1700000000";
  v.tid = "55";
  return v;
}

TEST(DomainPostbackTemplateExpand, EveryMacro) {
  const MacroValues v = sample();
  EXPECT_EQ(expand_url_template("{click}|{status}|{status_code}|{campaign}|{campaign_id}|{user}|"
                                "{lead}|{subscriber}|{username}|{first_name}|{last_name}|{chat}|"
                                "{time}|{tid}",
                                v),
            "abc123|approve|2|CAMP42|7|3|1001|123456789|ivan_petrov|%D0%98%D0%B2%D0%B0%D0%BD|"
            "O%27Neil%20%26%20Co|-1001234567890|1700000000|55");
}

TEST(DomainPostbackTemplateExpand, TypicalKeitaroUrl) {
  const MacroValues v = sample();
  EXPECT_EQ(expand_url_template("https://k.example.com/abc/postback?subid={click}&status=sale&tid={tid}", v),
            "https://k.example.com/abc/postback?subid=abc123&status=sale&tid=55");
}

TEST(DomainPostbackTemplateExpand, UrlValuesAreEncoded) {
  MacroValues v;
  v.click = "a&b=c d/e?f#g+h%";
  EXPECT_EQ(expand_url_template("http://t/?c={click}", v), "http://t/?c=a%26b%3Dc%20d%2Fe%3Ff%23g%2Bh%25");
}

TEST(DomainPostbackTemplateExpand, TextValuesAreRaw) {
  const MacroValues v = sample();
  EXPECT_EQ(expand_text_template("Привет, {first_name} {last_name}! Код: {campaign}", v),
            "Привет, Иван O'Neil & Co! Код: CAMP42");
}

TEST(DomainPostbackTemplateExpand, MissingValuesBecomeEmpty) {
  const MacroValues v;
  EXPECT_EQ(expand_url_template("http://t/?c={click}&u={username}", v), "http://t/?c=&u=");
}

TEST(DomainPostbackTemplateExpand, UnknownMacrosLeftAsIs) {
  const MacroValues v = sample();
  EXPECT_EQ(expand_url_template("{x}{clickid}{subid}{}{CLICK}{ click}", v),
            "{x}{clickid}{subid}{}{CLICK}{ click}");
  EXPECT_EQ(expand_url_template("{status_codes}{campaign_id_}", v), "{status_codes}{campaign_id_}");
  EXPECT_EQ(expand_url_template("{verylongunknownmacroname}", v), "{verylongunknownmacroname}");
}

TEST(DomainPostbackTemplateExpand, UnbalancedBracesLeftAsIs) {
  const MacroValues v = sample();
  EXPECT_EQ(expand_url_template("{", v), "{");
  EXPECT_EQ(expand_url_template("}", v), "}");
  EXPECT_EQ(expand_url_template("{click", v), "{click");
  EXPECT_EQ(expand_url_template("click}", v), "click}");
  EXPECT_EQ(expand_url_template("a{b", v), "a{b");
  EXPECT_EQ(expand_url_template("}{", v), "}{");
  EXPECT_EQ(expand_url_template("{{click}", v), "{abc123");
  EXPECT_EQ(expand_url_template("{click}}", v), "abc123}");
  EXPECT_EQ(expand_url_template("{{click}}", v), "{abc123}");
  EXPECT_EQ(expand_url_template("{cl{click}ick}", v), "{clabc123ick}");
  EXPECT_EQ(expand_url_template("{{{{", v), "{{{{");
}

TEST(DomainPostbackTemplateExpand, AdjacentAndRepeated) {
  const MacroValues v = sample();
  EXPECT_EQ(expand_url_template("{click}{click}{tid}", v), "abc123abc12355");
  EXPECT_EQ(expand_url_template("", v), "");
  EXPECT_EQ(expand_url_template("no macros", v), "no macros");
}

TEST(DomainPostbackTemplateExpand, ValuesAreNotReexpanded) {
  MacroValues v;
  v.first_name = "{click}";
  v.click = "SECRET";
  EXPECT_EQ(expand_text_template("{first_name}", v), "{click}");
  EXPECT_EQ(expand_url_template("{first_name}", v), "%7Bclick%7D");
  v.first_name = "{";
  EXPECT_EQ(expand_text_template("{first_name}click}", v), "{click}");
}

TEST(DomainPostbackTemplateExpand, LinearOnPathologicalInput) {
  const MacroValues v = sample();
  std::string tmpl(200000, '{');
  EXPECT_EQ(expand_url_template(tmpl, v), tmpl);
  std::string many;
  for (int i = 0; i < 20000; ++i) many += "{click}";
  EXPECT_EQ(expand_url_template(many, v).size(), 20000u * 6);
}

TEST(DomainPostbackTemplateSet, AnyAndIndexing) {
  TemplateSet s;
  EXPECT_FALSE(s.any());
  s[LeadStatus::Cancel] = "http://t/c";
  EXPECT_TRUE(s.any());
  EXPECT_EQ(s.by_status[3], "http://t/c");
  const TemplateSet& cs = s;
  EXPECT_EQ(cs[LeadStatus::Cancel], "http://t/c");
  EXPECT_EQ(cs[LeadStatus::Wait], "");
}

TEST(DomainPostbackTemplateSet, OutOfRangeStatusThrows) {
  TemplateSet s;
  EXPECT_THROW(s[static_cast<LeadStatus>(5)], std::out_of_range);
}

TEST(DomainPostbackTemplateChoose, CampaignSetWinsAsAWhole) {
  TemplateSet campaign;
  TemplateSet profile;
  for (const LeadStatus st : kAllStatuses) profile[st] = "http://p/" + std::string(status_name(st));
  campaign[LeadStatus::Approve] = "http://c/approve";
  EXPECT_EQ(choose_template(campaign, profile, LeadStatus::Approve), "http://c/approve");
  // Empty in a non-empty campaign set means "nothing", not "fall back".
  EXPECT_EQ(choose_template(campaign, profile, LeadStatus::Wait), "");
  EXPECT_EQ(choose_template(campaign, profile, LeadStatus::Trash), "");
}

TEST(DomainPostbackTemplateChoose, EmptyCampaignFallsBackToProfile) {
  TemplateSet campaign;
  TemplateSet profile;
  profile[LeadStatus::Wait] = "http://p/wait";
  EXPECT_EQ(choose_template(campaign, profile, LeadStatus::Wait), "http://p/wait");
  EXPECT_EQ(choose_template(campaign, profile, LeadStatus::Hold), "");
  EXPECT_EQ(&choose_template(campaign, profile, LeadStatus::Wait), &profile[LeadStatus::Wait]);
}

TEST(DomainPostbackTemplateChoose, BothEmpty) {
  const TemplateSet none;
  for (const LeadStatus st : kAllStatuses) EXPECT_EQ(choose_template(none, none, st), "");
}

TEST(DomainPostbackTemplateCheck, Accepted) {
  EXPECT_EQ(check_template(""), TemplateProblem::None);
  EXPECT_EQ(check_template("http://tracker.example.com/postback?subid={click}&status=lead"),
            TemplateProblem::None);
  EXPECT_EQ(check_template("https://t.io"), TemplateProblem::None);
  EXPECT_EQ(check_template("HTTPS://T.IO/x"), TemplateProblem::None);
  EXPECT_EQ(check_template("HtTp://t.io:8080/{click}/{status}"), TemplateProblem::None);
  EXPECT_EQ(check_template("http://[2001:db8::1]/pb?c={click}"), TemplateProblem::None);
  EXPECT_EQ(check_template("https://t.io/?c={click}#{tid}"), TemplateProblem::None);
  EXPECT_EQ(check_template("https://t.io/?e=a@b"), TemplateProblem::None);
}

TEST(DomainPostbackTemplateCheck, Blank) {
  EXPECT_EQ(check_template(" "), TemplateProblem::Empty);
  EXPECT_EQ(check_template("\t\r\n"), TemplateProblem::Empty);
}

TEST(DomainPostbackTemplateCheck, Scheme) {
  EXPECT_EQ(check_template("ftp://t.io/"), TemplateProblem::BadScheme);
  EXPECT_EQ(check_template("javascript:alert(1)"), TemplateProblem::BadScheme);
  EXPECT_EQ(check_template("file:///etc/passwd"), TemplateProblem::BadScheme);
  EXPECT_EQ(check_template("t.io/postback"), TemplateProblem::BadScheme);
  EXPECT_EQ(check_template("//t.io/postback"), TemplateProblem::BadScheme);
  EXPECT_EQ(check_template("http:/t.io"), TemplateProblem::BadScheme);
  EXPECT_EQ(check_template("http:t.io"), TemplateProblem::BadScheme);
  EXPECT_EQ(check_template("httpx://t.io"), TemplateProblem::BadScheme);
  EXPECT_EQ(check_template("{url}"), TemplateProblem::BadScheme);
  EXPECT_EQ(check_template("{scheme}://t.io"), TemplateProblem::BadScheme);
}

TEST(DomainPostbackTemplateCheck, Host) {
  EXPECT_EQ(check_template("http://"), TemplateProblem::NoHost);
  EXPECT_EQ(check_template("https:///path"), TemplateProblem::NoHost);
  EXPECT_EQ(check_template("http://?c={click}"), TemplateProblem::NoHost);
  EXPECT_EQ(check_template("http://{click}/"), TemplateProblem::NoHost);
  EXPECT_EQ(check_template("http://{click}.evil.com/"), TemplateProblem::NoHost);
  EXPECT_EQ(check_template("http://t.io{click}/"), TemplateProblem::NoHost);
  EXPECT_EQ(check_template("http://t.io:{click}/"), TemplateProblem::NoHost);
  EXPECT_EQ(check_template("http://user:pw@t.io/"), TemplateProblem::NoHost);
  EXPECT_EQ(check_template("http://{username}@t.io/"), TemplateProblem::NoHost);
  EXPECT_EQ(check_template("http://t.io:99999/"), TemplateProblem::NoHost);
  EXPECT_EQ(check_template("http://[::1/"), TemplateProblem::NoHost);
}

TEST(DomainPostbackTemplateCheck, Length) {
  const std::string prefix = "https://t.io/?x=";
  const std::string at_limit = prefix + std::string(kMaxTemplateLength - prefix.size(), 'a');
  EXPECT_EQ(check_template(at_limit), TemplateProblem::None);
  EXPECT_EQ(check_template(at_limit + "a"), TemplateProblem::TooLong);
  EXPECT_EQ(check_template(std::string(5000, ' ')), TemplateProblem::Empty);
}

TEST(DomainPostbackTemplateCheck, SpacesAndControls) {
  EXPECT_EQ(check_template(" http://t.io/"), TemplateProblem::ControlChars);
  EXPECT_EQ(check_template("http://t.io/ "), TemplateProblem::ControlChars);
  EXPECT_EQ(check_template("http://t.io/a b"), TemplateProblem::ControlChars);
  EXPECT_EQ(check_template("http://t.io/\r\nX-Injected: 1"), TemplateProblem::ControlChars);
  EXPECT_EQ(check_template("http://t.io/\x7f"), TemplateProblem::ControlChars);
  EXPECT_EQ(check_template(std::string_view("http://t.io/\0", 13)), TemplateProblem::ControlChars);
  EXPECT_EQ(check_template("bad scheme"), TemplateProblem::ControlChars);
}

TEST(DomainPostbackTemplateCheck, ExpandedValidTemplateStaysValid) {
  // Encoded values can never break the URL shape a checked template has.
  MacroValues v = sample();
  v.click = "x y\r\n@evil.com/#";
  const std::string url = expand_url_template("https://t.io/p?c={click}&n={first_name}", v);
  EXPECT_EQ(check_template(url), TemplateProblem::None);
  EXPECT_EQ(url, "https://t.io/p?c=x%20y%0D%0A%40evil.com%2F%23&n=%D0%98%D0%B2%D0%B0%D0%BD");
}

TEST(DomainPostbackTemplateCheck, DescribeCoversEveryProblem) {
  for (const TemplateProblem p :
       {TemplateProblem::None, TemplateProblem::Empty, TemplateProblem::BadScheme,
        TemplateProblem::NoHost, TemplateProblem::TooLong, TemplateProblem::ControlChars}) {
    EXPECT_FALSE(describe(p).empty());
  }
  EXPECT_NE(describe(TemplateProblem::BadScheme), describe(TemplateProblem::NoHost));
}

}  // namespace
}  // namespace tglead::domain
