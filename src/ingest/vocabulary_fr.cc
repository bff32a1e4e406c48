#include "ingest/vocabulary.h"

namespace sluice::vocab {

namespace {

constexpr std::string_view kNounPhrases[] = {
    "le gouvernement", "la mairie", "le président", "la ministre", "les syndicats", "le nouveau projet",
    "la réforme des retraites", "le budget", "les élections municipales", "la campagne", "le maire de Lyon",
    "les habitants", "le quartier", "la ville", "le conseil municipal", "les enseignants", "les étudiants",
    "l'école du quartier", "l'université", "la recherche publique", "le laboratoire", "les chercheurs",
    "la jeune pousse", "l'entreprise", "la patronne", "les salariés", "la grève", "le marché", "la bourse de Paris",
    "les prix de l'énergie", "l'inflation", "le pouvoir d'achat", "la croissance", "le chômage", "l'économie",
    "la banque centrale", "les impôts", "le climat", "la planète", "les forêts", "la sécheresse", "la canicule",
    "l'orage de ce soir", "la météo", "le printemps", "la rentrée", "les vacances d'été", "le festival", "le concert",
    "le film", "la nouvelle série", "le dernier roman", "la librairie", "le musée", "l'exposition", "le théâtre",
    "l'équipe de France", "le match", "les supporters", "l'entraîneur", "le club", "la finale", "le Tour de France",
    "le vélo", "le train de nuit", "les transports en commun", "le métro", "le périphérique", "la voiture électrique",
    "l'hôpital", "les médecins", "les infirmières", "la santé publique", "le vaccin", "l'intelligence artificielle",
    "le logiciel libre", "l'application", "mon téléphone", "les réseaux sociaux", "la cybersécurité", "les données",
    "la boulangerie", "le fromage", "la recette de ma grand-mère", "le restaurant", "la cheffe", "la cuisine",
    "le café du coin", "le vin", "les vendanges", "les agriculteurs", "la récolte", "le salon de l'agriculture",
    "l'Assemblée nationale", "le Sénat", "l'Europe", "la Commission européenne", "le sommet", "la diplomatie",
    "les associations", "les bénévoles", "la manifestation", "le débat", "la conférence", "le podcast", "l'émission",
    "le journal", "l'enquête", "le rapport", "l'étude", "les chiffres", "le sondage", "la fusée", "le télescope",
    "les astronomes", "la mise à jour", "mon voisin", "notre équipe", "le bureau", "le télétravail",
    "les jeunes", "les retraités", "la préfecture", "le tribunal", "la police", "les pompiers", "la mer",
    "la montagne", "les Alpes", "la Bretagne", "Marseille", "Bordeaux", "la gare", "l'aéroport", "le port",
};

constexpr Verb kVerbs[] = {
    {"annonce", "annoncent"}, {"lance", "lancent"}, {"critique", "critiquent"}, {"soutient", "soutiennent"},
    {"repousse", "repoussent"}, {"annule", "annulent"}, {"dévoile", "dévoilent"}, {"confirme", "confirment"},
    {"dément", "démentent"}, {"change", "changent"}, {"approuve", "approuvent"}, {"rejette", "rejettent"},
    {"salue", "saluent"}, {"ignore", "ignorent"}, {"gagne", "gagnent"}, {"perd", "perdent"}, {"améliore", "améliorent"},
    {"publie", "publient"}, {"partage", "partagent"}, {"discute", "discutent"}, {"remet en cause", "remettent en cause"},
    {"accueille", "accueillent"}, {"surprend", "surprennent"}, {"inspire", "inspirent"}, {"finance", "financent"},
    {"construit", "construisent"}, {"ouvre", "ouvrent"}, {"ferme", "ferment"}, {"déplace", "déplacent"},
    {"teste", "testent"}, {"explique", "expliquent"}, {"double", "doublent"}, {"réduit", "réduisent"},
    {"augmente", "augmentent"}, {"baisse", "baissent"}, {"prévient", "préviennent"}, {"signe", "signent"},
    {"bloque", "bloquent"}, {"fête", "fêtent"}, {"visite", "visitent"}, {"rejoint", "rejoignent"},
    {"quitte", "quittent"}, {"suit", "suivent"}, {"recrute", "recrutent"}, {"interroge", "interrogent"},
    {"analyse", "analysent"}, {"sous-estime", "sous-estiment"}, {"transforme", "transforment"},
    {"remplace", "remplacent"}, {"sauve", "sauvent"}, {"protège", "protègent"}, {"mesure", "mesurent"},
    {"réclame", "réclament"}, {"découvre", "découvrent"}, {"prépare", "préparent"}, {"attend", "attendent"},
    {"refuse", "refusent"}, {"relance", "relancent"}, {"défend", "défendent"}, {"présente", "présentent"},
};

constexpr std::string_view kPluralArticles[] = {"les ", "des ", "nos ", "mes ", "ces "};

constexpr std::string_view kComplements[] = {
    "ce matin", "hier soir", "à Lyon", "à Paris", "pour la première fois", "après des mois de discussions",
    "malgré la pluie", "encore une fois", "enfin", "sans prévenir", "avant l'été", "en un temps record",
    "cette semaine", "lundi", "hier", "aujourd'hui", "avant la date limite", "devant tout le monde", "à huis clos",
    "pour la troisième année consécutive", "sans aucune explication", "dans tout le pays", "en centre-ville",
    "près de la gare", "en direct à la télé", "ce week-end", "avec une large avance", "à la surprise générale",
    "selon nos informations", "comme prévu", "contre toute attente", "cette année", "depuis des années",
    "à Toulouse", "à Nantes", "à Lille", "en Bretagne", "dans le Sud", "à deux pas de chez moi", "au dernier moment",
    "en pleine nuit", "dès demain", "jusqu'à nouvel ordre", "pour de bon", "sous les applaudissements",
    "dans la plus grande discrétion", "en moins d'une heure", "avec le sourire",
};

constexpr std::string_view kOpeners[] = {
    "Urgent :", "Franchement,", "Bon,", "Incroyable :", "À lire :", "Info :", "Breaking :", "Petite info :",
    "Alors,", "Bref,", "Mise à jour :", "Rappel :", "Fil :", "Avis impopulaire :", "Sérieusement,", "Bonjour à tous !",
    "Enfin !", "Attention :", "Question :", "Je dis ça, je dis rien :",
};

constexpr std::string_view kClosers[] = {
    "Qu'en pensez-vous ?", "C'est énorme.", "On en parle ?", "À suivre.", "Hâte de voir ça.", "J'adore.",
    "Pas terrible.", "La suite bientôt.", "Restez connectés.", "À lire absolument.", "Dingue.", "Il était temps.",
    "On verra bien.", "Détails ci-dessous.", "Partagez !", "Qui d'autre ?", "Je suis bluffé.", "Dommage.",
    "Bravo à toute l'équipe.", "Incroyable mais vrai.", "Affaire à suivre.", "Rien ne va.",
};

constexpr std::string_view kReplyOpeners[] = {
    "Tout à fait d'accord.", "Pas sûr de ça.", "Merci pour le partage !", "Source ?", "Tellement vrai.", "Exactement.",
    "Je ne suis pas d'accord.", "Bien vu.", "Pareil pour moi.", "Haha, oui.", "Intéressant.", "Tu peux développer ?",
    "Bien dit.", "Félicitations !", "Bonne question.", "C'est confirmé ?", "J'adore.", "Oh non.", "Logique.",
    "Ça se tient.", "Merci !", "On en reparle demain.",
};

constexpr std::string_view kQuoteComments[] = {
    "Ça.", "À lire.", "Tout le monde devrait voir ça.", "Exactement ce que je disais la semaine dernière.",
    "Ça vaut le coup.", "Fil important.", "Attendez, quoi ?", "Je n'y crois pas.", "Enfin une bonne nouvelle.",
    "Je garde ça de côté.", "C'est énorme.", "Lisez tout.", "Des chiffres intéressants.", "Difficile de dire le contraire.",
    "Un bon résumé.",
};

constexpr std::string_view kHashtags[] = {
    "politique", "économie", "écologie", "climat", "Paris", "Lyon", "Marseille", "rugby", "football", "cuisine",
    "tech", "startup", "IA", "cinéma", "musique", "livres", "vélo", "météo", "grève", "retraites", "éducation",
    "santé", "sport", "culture", "Europe", "JO2024", "TourDeFrance", "rentrée", "vacances", "fromage", "vin",
    "Bretagne", "logiciellibre", "science", "espace", "ÉquipeDeFrance", "élections", "immobilier",
};

constexpr std::string_view kBioFragments[] = {
    "Journaliste indépendante.", "Passionné de vélo et de cuisine.", "Développeur le jour, musicien la nuit.",
    "Prof de maths.", "Lyonnais d'adoption.", "Amoureuse des livres.", "Photographe amateur.", "Papa de deux enfants.",
    "Ingénieure en informatique.", "Supporter de l'OL depuis toujours.", "Ici pour parler de politique.",
    "Avis personnels.", "Chercheur en climatologie.", "Boulangère à Nantes.", "Fan de rugby.", "Étudiant en droit.",
    "Infirmière de nuit.", "Randonneur.", "Toujours un café à la main.", "Les RT ne sont pas des soutiens.",
    "J'écris sur l'économie.", "Entrepreneur.", "Militante associative.", "Cinéphile.", "Jardinier du dimanche.",
    "Voyageur curieux.", "Graphiste.", "Conseiller municipal.", "Musicienne.", "Traductrice.", "Retraité heureux.",
    "Fondateur d'une jeune pousse.", "Podcasteur.", "Météo et astronomie.", "Libraire.",
};

constexpr std::string_view kMentionIntros[] = {"cc", "Avec", "Merci à", "Selon", "D'après", "Bravo à", "via"};

}  // namespace

const Language& French() {
  static const Language kLanguage{"fr",         kNounPhrases,  kVerbs,         kPluralArticles, false,
                                  kComplements, kOpeners,      kClosers,       kReplyOpeners,
                                  kQuoteComments, kHashtags,   kBioFragments,  kMentionIntros};
  return kLanguage;
}

}  // namespace sluice::vocab
