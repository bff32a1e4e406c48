#include "ingest/vocabulary.h"

namespace sluice::vocab {

namespace {

constexpr std::string_view kFirstNames[] = {
    "Marie",   "Jean",    "Pierre",   "Sophie",  "Camille",  "Lucas",   "Léa",     "Hugo",    "Chloé",   "Louis",
    "Emma",    "Gabriel", "Manon",    "Nathan",  "Inès",     "Julien",  "Élodie",  "Thomas",  "Claire",  "Nicolas",
    "Céline",  "Antoine", "Hélène",   "Mathieu", "Aurélie",  "Jérôme",  "Amélie",  "François", "Margaux", "Théo",
    "Zoé",     "Raphaël", "Anaïs",    "Maxime",  "Laure",    "Benoît",  "Noémie",  "Olivier", "Valérie", "Cédric",
    "Yasmine", "Karim",   "Fatou",    "Mehdi",   "Sarah",    "Bastien", "Ophélie", "Gaëlle",  "Loïc",    "Maël",
    "James",   "Mary",    "John",     "Emily",   "Oliver",   "Olivia",  "Jack",    "Sophia",  "Harry",   "Isla",
    "George",  "Ava",     "Noah",     "Mia",     "Liam",     "Grace",   "Ethan",   "Chloe",   "William", "Ruby",
    "Daniel",  "Lily",    "Samuel",   "Hannah",  "Benjamin", "Charlotte", "Henry", "Amelia",  "Oscar",   "Freya",
    "Michael", "Rachel",  "David",    "Laura",   "Matthew",  "Priya",   "Aisha",   "Connor",  "Siobhan", "Tom",
};

constexpr std::string_view kLastNames[] = {
    "Martin",  "Bernard", "Dubois",   "Thomas",  "Robert",   "Richard", "Petit",   "Durand",  "Leroy",   "Moreau",
    "Simon",   "Laurent", "Lefèvre",  "Michel",  "Garcia",   "David",   "Bertrand", "Roux",   "Vincent", "Fournier",
    "Morel",   "Girard",  "André",    "Lefebvre", "Mercier", "Dupont",  "Lambert", "Bonnet",  "François", "Martinez",
    "Legrand", "Garnier", "Faure",    "Rousseau", "Blanc",   "Guérin",  "Muller",  "Henry",   "Roussel", "Nicolas",
    "Perrin",  "Morin",   "Mathieu",  "Clément", "Gauthier", "Benali",  "Diallo",  "Nguyen",  "Le Gall", "Castel",
    "Smith",   "Jones",   "Taylor",   "Brown",   "Williams", "Wilson",  "Johnson", "Davies",  "Robinson", "Wright",
    "Thompson", "Evans",  "Walker",   "White",   "Roberts",  "Green",   "Hall",    "Wood",    "Jackson", "Clarke",
    "Patel",   "Khan",    "Lewis",    "Harris",  "Cooper",   "King",    "Baker",   "Turner",  "Hill",    "Ward",
    "Morgan",  "O'Brien", "Murphy",   "Kelly",   "Campbell", "Stewart", "Hughes",  "Edwards", "Price",   "Bennett",
};

constexpr std::string_view kCities[] = {
    "Paris",     "Lyon",       "Marseille", "Toulouse", "Nantes",     "Lille",      "Bordeaux",    "Strasbourg",
    "Rennes",    "Montpellier", "Nice",     "Grenoble", "Brest",      "Dijon",      "Paris, France", "Lyon, France",
    "Bruxelles", "Genève",     "Montréal",  "Québec",   "London",     "Manchester", "Bristol",     "Leeds",
    "Edinburgh", "Dublin",     "New York",  "Boston",   "San Francisco", "Toronto", "Berlin",      "Amsterdam",
    "Barcelona", "Lisbon",     "London, UK", "Earth",   "Somewhere in France", "Île-de-France", "Bretagne",
    "Sydney",
};

constexpr std::string_view kEmojis[] = {"🙂", "😂", "🔥", "👏", "🚀", "❤️", "🙏", "😅", "🤔", "👀",
                                        "🇫🇷", "🎉", "☕", "⚽", "📈", "🌍", "✨", "😮", "💡", "👇"};

constexpr std::string_view kCashtags[] = {"AAPL", "TSLA", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "BTC", "ETH",
                                          "AIR", "BNP", "MC.PA", "OR.PA", "TTE", "SAN", "RNO", "BRK.B", "SPY"};

constexpr std::string_view kNewsDomains[] = {
    "example.com",       "news.example.com", "www.example.org", "lejournal.example.fr", "blog.example.net",
    "actu.example.fr",   "dailynews.example.co.uk", "www.example.fr", "media.example.eu", "tech.example.io",
    "radio.example.fr",  "data.example.gov",
};

constexpr std::string_view kBareDomains[] = {"example.com", "www.example.fr", "example.org", "shop.example.io",
                                             "example.co.uk"};

constexpr std::string_view kUrlSections[] = {"politique", "economie", "culture", "sport", "tech", "world",
                                             "science", "news", "opinion", "sante", "climat", "blog"};

constexpr std::string_view kSlugWords[] = {
    "budget",  "reforme", "election", "climat", "greve",   "festival", "match",  "finale", "startup", "ia",
    "energie", "prix",    "rapport",  "etude",  "vote",    "sommet",   "train",  "velo",   "vaccin",  "meteo",
    "budget-2025", "council", "strike", "rates", "housing", "launch",  "review", "report", "poll",    "storm",
};

constexpr Org kGovernment[] = {
    {"Ministère de la Culture", "MinCulture"},   {"Ville de Lyon", "VilledeLyon"},
    {"Préfecture du Rhône", "PrefetRhone"},      {"Gouvernement", "Gouv"},
    {"Météo officielle", "MeteoOfficiel"},       {"Ministère de la Santé", "MinSante"},
    {"Department for Transport", "DeptTransport"}, {"City of Leeds", "LeedsCity"},
    {"UK Parliament", "UKParl"},                 {"Santé publique", "SantePub"},
};

constexpr Org kMedia[] = {
    {"Le Quotidien du Nord", "QuotidienNord"}, {"Radio Nationale", "RadioNat"},    {"Agence d'État Info", "AgenceEtat"},
    {"Télé Publique", "TelePublique"},         {"The Daily Example", "DailyEx"},  {"State News Network", "StateNews"},
    {"World Service Radio", "WorldRadio"},     {"Le Petit Journal Local", "PetitJournal"},
    {"Tech Weekly", "TechWeekly"},             {"Info Continue", "InfoContinue"},
};

constexpr Org kBusinesses[] = {
    {"Boulangerie Martin", "BoulangMartin"}, {"Vélos de Lyon", "VelosLyon"},    {"Café du Port", "CafeDuPort"},
    {"Example Bank", "ExampleBank"},         {"Rail Express", "RailExpress"},   {"Fromagerie Dupont", "FromDupont"},
    {"Cloud Example", "CloudEx"},            {"Open Tools", "OpenTools"},       {"Librairie du Centre", "LibCentre"},
    {"Green Energy Co", "GreenEnergy"},
};

}  // namespace

Words FirstNames() { return kFirstNames; }
Words LastNames() { return kLastNames; }
Words Cities() { return kCities; }
Words Emojis() { return kEmojis; }
Words Cashtags() { return kCashtags; }
Words NewsDomains() { return kNewsDomains; }
Words BareDomains() { return kBareDomains; }
Words UrlSections() { return kUrlSections; }
Words SlugWords() { return kSlugWords; }
std::span<const Org> GovernmentOrgs() { return kGovernment; }
std::span<const Org> MediaOrgs() { return kMedia; }
std::span<const Org> Businesses() { return kBusinesses; }

}  // namespace sluice::vocab
