#include "core/language.h"

#include <gtest/gtest.h>

#include "core/text.h"

namespace sluice {
namespace {

std::string_view Detect(std::string_view text) { return DetectLanguage(text, ExtractEntities(text)); }

TEST(DetectLanguage, LatinTextByItsFunctionWords) {
  EXPECT_EQ(Detect("The match was great and the fans are happy tonight"), "en");
  EXPECT_EQ(Detect("Les élèves sont très contents de la réforme, mais pas tous"), "fr");
  EXPECT_EQ(Detect("El partido fue muy bueno y los aficionados están felices"), "es");
  EXPECT_EQ(Detect("Das Spiel war heute sehr gut und die Fans sind glücklich"), "de");
  EXPECT_EQ(Detect("La partita è stata molto bella e i tifosi sono felici"), "it");
  EXPECT_EQ(Detect("O jogo foi muito bom e os torcedores estão felizes hoje"), "pt");
  EXPECT_EQ(Detect("De wedstrijd was vandaag erg goed en de fans zijn blij"), "nl");
}

TEST(DetectLanguage, CapitalsCountAsTheirWords) {
  EXPECT_EQ(Detect("THE MATCH WAS GREAT AND THE FANS ARE HAPPY"), "en");
  EXPECT_EQ(Detect("ÉTÉ: Les vacances sont là"), "fr");
}

TEST(DetectLanguage, ScriptsThatNameALanguage) {
  EXPECT_EQ(Detect("今日はいい天気ですね"), "ja");
  EXPECT_EQ(Detect("東京の天気"), "ja");  // kana among Han: Japanese
  EXPECT_EQ(Detect("今天天气很好"), "zh");
  EXPECT_EQ(Detect("오늘 날씨가 좋네요"), "ko");
  EXPECT_EQ(Detect("Сегодня хорошая погода"), "ru");
  EXPECT_EQ(Detect("Сьогодні гарна погода і сонце"), "uk");
  EXPECT_EQ(Detect("الطقس جميل اليوم"), "ar");
  EXPECT_EQ(Detect("امروز هوا خیلی خوب است و پاییز"), "fa");
  EXPECT_EQ(Detect("Σήμερα ο καιρός είναι ωραίος"), "el");
  EXPECT_EQ(Detect("วันนี้อากาศดี"), "th");
  EXPECT_EQ(Detect("आज मौसम अच्छा है"), "hi");
  EXPECT_EQ(Detect("אנחנו נתגבר"), "iw");
}

TEST(DetectLanguage, EntitiesAreNotLanguage) {
  // Without the entities, nothing is left to tell: undetermined.
  EXPECT_EQ(Detect("@the_and_is #the https://the.com/and/is $THE"), "und");
  EXPECT_EQ(Detect("@Sluice_fr the match was great https://lemonde.fr/la/les"), "en");
}

TEST(DetectLanguage, TooLittleOrTooMixedIsUndetermined) {
  EXPECT_EQ(Detect(""), "und");
  EXPECT_EQ(Detect("😀 🎉 123 !!!"), "und");
  EXPECT_EQ(Detect("ok"), "und");
  EXPECT_EQ(Detect("the"), "und");                  // one function word is not enough
  EXPECT_EQ(Detect("the cat le chat"), "und");      // a tie
  EXPECT_EQ(Detect("xqzt vbrrk plomf"), "und");     // Latin letters, no function word
}

}  // namespace
}  // namespace sluice
