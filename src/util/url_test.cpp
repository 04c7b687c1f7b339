#include "util/url.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace tglead::util {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

TEST(UtilUrlEncode, KeepsOnlyUnreserved) {
  EXPECT_EQ(url_encode(""), "");
  EXPECT_EQ(url_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(url_encode(" "), "%20");
  EXPECT_EQ(url_encode("a+b"), "a%2Bb");
  EXPECT_EQ(url_encode("a&b=c?d/e#f"), "a%26b%3Dc%3Fd%2Fe%23f");
  EXPECT_EQ(url_encode("{click}"), "%7Bclick%7D");
  EXPECT_EQ(url_encode("%"), "%25");
  EXPECT_EQ(url_encode("!*'();:@$,[]"), "%21%2A%27%28%29%3B%3A%40%24%2C%5B%5D");
}

TEST(UtilUrlEncode, HexIsUppercase) {
  EXPECT_EQ(url_encode("\xff\xab"), "%FF%AB");
  EXPECT_EQ(url_encode("\n"), "%0A");
}

TEST(UtilUrlEncode, Utf8IsEncodedPerByte) {
  EXPECT_EQ(url_encode("Дима"), "%D0%94%D0%B8%D0%BC%D0%B0");
  EXPECT_EQ(url_encode("😀"), "%F0%9F%98%80");
}

TEST(UtilUrlEncode, NulAndHighBytes) {
  EXPECT_EQ(url_encode(std::string_view("a\0b", 3)), "a%00b");
  EXPECT_EQ(url_encode("\x7f\x80"), "%7F%80");
}

TEST(UtilUrlDecode, DecodesEscapesEitherCase) {
  EXPECT_EQ(url_decode("x%20y", false), "x y");
  EXPECT_EQ(url_decode("%d0%94%D0%B8", false), "Ди");
  EXPECT_EQ(url_decode("%7Bclick%7d", false), "{click}");
  EXPECT_EQ(url_decode("%2B", true), "+");  // an encoded plus is never a space
}

TEST(UtilUrlDecode, PlusHandling) {
  EXPECT_EQ(url_decode("a+b", true), "a b");
  EXPECT_EQ(url_decode("a+b", false), "a+b");
  EXPECT_EQ(url_decode("++", true), "  ");
}

TEST(UtilUrlDecode, InvalidEscapesKeptLiterally) {
  EXPECT_EQ(url_decode("%", false), "%");
  EXPECT_EQ(url_decode("%4", false), "%4");
  EXPECT_EQ(url_decode("a%", false), "a%");
  EXPECT_EQ(url_decode("%G1", false), "%G1");
  EXPECT_EQ(url_decode("%1G", false), "%1G");
  EXPECT_EQ(url_decode("100%", true), "100%");
  EXPECT_EQ(url_decode("%%41", false), "%A");
  EXPECT_EQ(url_decode("%+1", true), "% 1");
}

TEST(UtilUrlDecode, DecodesOnlyOnce) {
  EXPECT_EQ(url_decode("%2541", false), "%41");
}

TEST(UtilUrlDecode, NulEscapeIsDecoded) {
  EXPECT_EQ(url_decode("a%00b", false), std::string("a\0b", 3));
}

TEST(UtilUrlDecode, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(url_decode(url_encode(all), true), all);
  EXPECT_EQ(url_decode(url_encode(all), false), all);
}

TEST(UtilUrlParseQuery, TypicalQuery) {
  EXPECT_THAT(parse_query("a=1&b=x%20y&flag&postbacks%5Bwait%5D=http%3A%2F%2Ft.io%2F%3Fc%3D%7Bclick%7D"),
              ElementsAre(Pair("a", "1"), Pair("b", "x y"), Pair("flag", ""),
                          Pair("postbacks[wait]", "http://t.io/?c={click}")));
}

TEST(UtilUrlParseQuery, PlusIsSpaceInKeysAndValues) {
  EXPECT_THAT(parse_query("first+name=John+Smith"), ElementsAre(Pair("first name", "John Smith")));
}

TEST(UtilUrlParseQuery, EmptySegmentsAndKeysSkipped) {
  EXPECT_THAT(parse_query(""), IsEmpty());
  EXPECT_THAT(parse_query("&"), IsEmpty());
  EXPECT_THAT(parse_query("&&&"), IsEmpty());
  EXPECT_THAT(parse_query("=x"), IsEmpty());
  EXPECT_THAT(parse_query("="), IsEmpty());
  EXPECT_THAT(parse_query("&a=1&&b=2&"), ElementsAre(Pair("a", "1"), Pair("b", "2")));
  EXPECT_THAT(parse_query("=x&a=1"), ElementsAre(Pair("a", "1")));
}

TEST(UtilUrlParseQuery, EncodedSeparatorsStayInsideValues) {
  EXPECT_THAT(parse_query("a=%26b%3D1&c=d"), ElementsAre(Pair("a", "&b=1"), Pair("c", "d")));
}

TEST(UtilUrlParseQuery, ValueMayContainEquals) {
  EXPECT_THAT(parse_query("u=a=b=c&e="), ElementsAre(Pair("u", "a=b=c"), Pair("e", "")));
}

TEST(UtilUrlParseQuery, DuplicatesKeptInOrder) {
  EXPECT_THAT(parse_query("k=1&k=2&k"), ElementsAre(Pair("k", "1"), Pair("k", "2"), Pair("k", "")));
}

TEST(UtilUrlParseQuery, EncodedEmptyLookingKeyIsKept) {
  EXPECT_THAT(parse_query("%20=x"), ElementsAre(Pair(" ", "x")));
  EXPECT_THAT(parse_query("+=x"), ElementsAre(Pair(" ", "x")));
}

TEST(UtilUrlParseQuery, InvalidEscapesTolerated) {
  EXPECT_THAT(parse_query("a=100%&b=%zz"), ElementsAre(Pair("a", "100%"), Pair("b", "%zz")));
}

MATCHER_P4(IsUrl, scheme, host, port, path, "") {
  return arg.has_value() && arg->scheme == scheme && arg->host == host && arg->port == port &&
         arg->path_and_query == path;
}

TEST(UtilUrlSplit, Basic) {
  EXPECT_THAT(split_url("https://example.com/path?x=1"), IsUrl("https", "example.com", "", "/path?x=1"));
  EXPECT_THAT(split_url("http://example.com:8080/a/b"), IsUrl("http", "example.com", "8080", "/a/b"));
}

TEST(UtilUrlSplit, SchemeAndHostLowercasedPathKept) {
  EXPECT_THAT(split_url("HTTPS://Tracker.Example.COM/PostBack?SubID=AbC"),
              IsUrl("https", "tracker.example.com", "", "/PostBack?SubID=AbC"));
}

TEST(UtilUrlSplit, PathDefaultsToSlash) {
  EXPECT_THAT(split_url("http://example.com"), IsUrl("http", "example.com", "", "/"));
  EXPECT_THAT(split_url("http://example.com?x=1"), IsUrl("http", "example.com", "", "/?x=1"));
  EXPECT_THAT(split_url("http://example.com:81"), IsUrl("http", "example.com", "81", "/"));
}

TEST(UtilUrlSplit, FragmentDropped) {
  EXPECT_THAT(split_url("http://example.com/a?b=1#frag"), IsUrl("http", "example.com", "", "/a?b=1"));
  EXPECT_THAT(split_url("http://example.com#frag"), IsUrl("http", "example.com", "", "/"));
}

TEST(UtilUrlSplit, PortRules) {
  EXPECT_THAT(split_url("http://example.com:/x"), IsUrl("http", "example.com", "", "/x"));
  EXPECT_THAT(split_url("http://example.com:0080/"), IsUrl("http", "example.com", "80", "/"));
  EXPECT_THAT(split_url("http://example.com:65535/"), IsUrl("http", "example.com", "65535", "/"));
  EXPECT_THAT(split_url("http://example.com:1/"), IsUrl("http", "example.com", "1", "/"));
  EXPECT_FALSE(split_url("http://example.com:0/"));
  EXPECT_FALSE(split_url("http://example.com:65536/"));
  EXPECT_FALSE(split_url("http://example.com:99999999999999999999/"));
  EXPECT_FALSE(split_url("http://example.com:8a/"));
  EXPECT_FALSE(split_url("http://example.com:-1/"));
  EXPECT_FALSE(split_url("http://example.com:80:81/"));
  EXPECT_FALSE(split_url("http://example.com:{port}/"));
}

TEST(UtilUrlSplit, Ipv4AndIpv6Literals) {
  EXPECT_THAT(split_url("http://127.0.0.1:8080/x"), IsUrl("http", "127.0.0.1", "8080", "/x"));
  EXPECT_THAT(split_url("http://[::1]/x"), IsUrl("http", "::1", "", "/x"));
  EXPECT_THAT(split_url("http://[2001:DB8::A]:8443"), IsUrl("http", "2001:db8::a", "8443", "/"));
  EXPECT_THAT(split_url("http://[::ffff:10.0.0.1]/"), IsUrl("http", "::ffff:10.0.0.1", "", "/"));
  EXPECT_FALSE(split_url("http://[::1/x"));
  EXPECT_FALSE(split_url("http://[]/"));
  EXPECT_FALSE(split_url("http://[::1]x/"));
  // An empty port after the brackets means the default, as for names.
  EXPECT_THAT(split_url("http://[::1]:/"), IsUrl("http", "::1", "", "/"));
}

TEST(UtilUrlSplit, Ipv6RejectsZonesAndJunk) {
  EXPECT_FALSE(split_url("http://[fe80::1%25eth0]/"));
  EXPECT_FALSE(split_url("http://[example.com]/"));
  EXPECT_FALSE(split_url("http://[1234]/"));
  EXPECT_FALSE(split_url("http://::1/"));
}

TEST(UtilUrlSplit, UserinfoRejected) {
  EXPECT_FALSE(split_url("http://user:pw@example.com/"));
  EXPECT_FALSE(split_url("http://user@example.com/"));
  EXPECT_FALSE(split_url("http://@example.com/"));
  EXPECT_FALSE(split_url("http://good.com@evil.com/"));
  EXPECT_FALSE(split_url("http://evil.com\\@good.com/"));
  EXPECT_FALSE(split_url("http://evil.com\\good.com/"));
  // An '@' after the authority is just part of the path or query.
  EXPECT_THAT(split_url("http://example.com/a@b?e=x@y"), IsUrl("http", "example.com", "", "/a@b?e=x@y"));
}

TEST(UtilUrlSplit, MissingOrBadHostRejected) {
  EXPECT_FALSE(split_url("http://"));
  EXPECT_FALSE(split_url("http:///path"));
  EXPECT_FALSE(split_url("http://:80/"));
  EXPECT_FALSE(split_url("http://?x=1"));
  EXPECT_FALSE(split_url("http://./"));
  EXPECT_FALSE(split_url("http://{host}/"));
  EXPECT_FALSE(split_url("http://exa%6Dple.com/"));
  EXPECT_FALSE(split_url("http://exa mple.com/"));
  EXPECT_FALSE(split_url("http://example.com;x/"));
}

TEST(UtilUrlSplit, SchemeRules) {
  EXPECT_FALSE(split_url(""));
  EXPECT_FALSE(split_url("example.com/path"));
  EXPECT_FALSE(split_url("//example.com/path"));
  EXPECT_FALSE(split_url("://example.com/"));
  EXPECT_FALSE(split_url("http:example.com"));
  EXPECT_FALSE(split_url("http:/example.com"));
  EXPECT_FALSE(split_url("mailto:a@b.c"));
  EXPECT_FALSE(split_url("1http://example.com/"));
  EXPECT_FALSE(split_url("ht_tp://example.com/"));
  // Other schemes parse; callers decide whether they accept them.
  EXPECT_THAT(split_url("FTP://Example.com/f"), IsUrl("ftp", "example.com", "", "/f"));
  EXPECT_THAT(split_url("svn+ssh://host/"), IsUrl("svn+ssh", "host", "", "/"));
}

TEST(UtilUrlSplit, WhitespaceAndControlsRejectedAnywhere) {
  EXPECT_FALSE(split_url(" http://example.com/"));
  EXPECT_FALSE(split_url("http://example.com/ "));
  EXPECT_FALSE(split_url("http://example.com/a b"));
  EXPECT_FALSE(split_url("http://example.com/\r\nHost: evil"));
  EXPECT_FALSE(split_url("http://example.com/\t"));
  EXPECT_FALSE(split_url("http://example.com/\x7f"));
  EXPECT_FALSE(split_url(std::string_view("http://example.com/\0", 20)));
}

TEST(UtilUrlSplit, HostCharactersAllowed) {
  EXPECT_THAT(split_url("http://my_host-1.example.com./"),
              IsUrl("http", "my_host-1.example.com.", "", "/"));
  EXPECT_THAT(split_url("http://localhost/"), IsUrl("http", "localhost", "", "/"));
}

TEST(UtilUrlSplit, QueryMayContainSlashesAndBraces) {
  EXPECT_THAT(split_url("https://t.io?r=http://x/y&c={click}"),
              IsUrl("https", "t.io", "", "/?r=http://x/y&c={click}"));
}

}  // namespace
}  // namespace tglead::util
