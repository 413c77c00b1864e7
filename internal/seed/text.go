package seed

// The corpus's vocabulary: parallel phrase lists in French, English, German
// and Russian, written for this project. Entry i of a list means the same
// thing in every language, so that the language versions of one story are
// translations of each other. Every phrase is built to fit its slot
// whatever it is combined with: subjects are third-person singular (and, in
// Russian, masculine, to agree with the past tense), predicates carry their
// object already inflected and mark with {A} where the adverbial goes (at
// the end when absent), and adverbials are inflected for their place in
// the sentence. {n} is a number from numbers, {d} a digit.

// Languages, in the order of the fields of tr.
var langs = []string{"fr", "en", "de", "ru"}

// tr is one phrase in each language.
type tr struct{ fr, en, de, ru string }

func (t tr) in(lang string) string {
	switch lang {
	case "fr":
		return t.fr
	case "de":
		return t.de
	case "ru":
		return t.ru
	}
	return t.en
}

// numbers fill {n}: none ends in 1 to 4, so Russian always takes the
// genitive plural after them.
var numbers = []int{5, 6, 7, 8, 9, 10, 11, 12, 15, 16, 18, 20, 25, 30, 35, 40, 45, 50, 60, 70, 75, 80, 90, 120, 150, 200, 250, 300, 500}

var subjects = []tr{
	{"le conseil municipal", "the city council", "der Stadtrat", "городской совет"},
	{"le gouvernement régional", "the regional government", "die Landesregierung", "региональный парламент"},
	{"le ministre des Finances", "the finance minister", "der Finanzminister", "министр финансов"},
	{"un collectif d'agriculteurs", "a collective of farmers", "ein Bündnis von Landwirten", "союз фермеров"},
	{"la banque centrale", "the central bank", "die Zentralbank", "центральный банк"},
	{"l'opérateur ferroviaire national", "the national rail operator", "die staatliche Bahngesellschaft", "национальный железнодорожный оператор"},
	{"le principal parti d'opposition", "the main opposition party", "die größte Oppositionspartei", "оппозиционный блок"},
	{"une équipe de chercheurs", "a team of researchers", "ein Forschungsteam", "научный коллектив"},
	{"le maire de la ville", "the mayor", "der Bürgermeister", "мэр города"},
	{"l'agence régionale de santé", "the regional health agency", "das Landesgesundheitsamt", "региональный департамент здравоохранения"},
	{"le régulateur de l'énergie", "the energy regulator", "die Energieaufsicht", "энергетический регулятор"},
	{"le syndicat des enseignants", "the teachers' union", "die Lehrergewerkschaft", "профсоюз учителей"},
	{"une coopérative laitière", "a dairy cooperative", "eine Molkereigenossenschaft", "молочный кооператив"},
	{"le port autonome", "the port authority", "die Hafenbehörde", "морской порт"},
	{"le tribunal administratif", "the administrative court", "das Verwaltungsgericht", "арбитражный суд"},
	{"la fédération de football", "the football federation", "der Fußballverband", "футбольный союз"},
	{"l'orchestre philharmonique", "the philharmonic orchestra", "das Philharmonische Orchester", "филармонический оркестр"},
	{"une jeune entreprise du numérique", "a young software company", "ein junges Softwareunternehmen", "молодой стартап"},
	{"le syndicat des eaux", "the water board", "der Wasserversorger", "городской водоканал"},
	{"le comité olympique", "the Olympic committee", "das Olympische Komitee", "олимпийский комитет"},
	{"le musée d'histoire naturelle", "the natural history museum", "das Naturkundemuseum", "краеведческий музей"},
	{"le conseil de l'hôpital", "the hospital board", "der Klinikvorstand", "совет больницы"},
}

// Each predicate has the topic tag its story carries (see topics).
type predicate struct {
	tr
	topic string
}

var predicates = []predicate{
	{tr{"a adopté {A} un budget de {n} millions d'euros", "approved a budget of {n} million euros {A}", "beschloss {A} einen Haushalt von {n} Millionen Euro", "утвердил {A} бюджет в размере {n} миллионов евро"}, "budget"},
	{tr{"a reporté {A} le vote sur la réforme des retraites", "postponed the vote on the pension reform {A}", "verschob {A} die Abstimmung über die Rentenreform", "отложил {A} голосование по пенсионной реформе"}, "elections"},
	{tr{"a ouvert {A} une enquête sur le contrat de construction", "opened an inquiry into the construction contract {A}", "leitete {A} eine Untersuchung zum Bauvertrag ein", "начал {A} проверку строительного контракта"}, "justice"},
	{tr{"a lancé {A} une consultation sur les transports publics", "launched a consultation on public transport {A}", "startete {A} eine Anhörung zum öffentlichen Nahverkehr", "открыл {A} обсуждение реформы общественного транспорта"}, "transport"},
	{tr{"a rejeté {A} le projet de deuxième piste", "rejected the plan for a second runway {A}", "lehnte {A} den Plan für eine zweite Startbahn ab", "отклонил {A} проект второй взлётно-посадочной полосы"}, "transport"},
	{tr{"a alerté {A} sur la pénurie d'infirmières à l'hôpital", "warned of a shortage of nurses at the hospital {A}", "warnte {A} vor einem Mangel an Pflegekräften im Krankenhaus", "предупредил {A} о нехватке медсестёр в больнице"}, "health"},
	{tr{"a signé {A} un accord sur les livraisons de gaz", "signed an agreement on gas deliveries {A}", "unterzeichnete {A} ein Abkommen über Gaslieferungen", "подписал {A} соглашение о поставках газа"}, "energy"},
	{tr{"a publié {A} un rapport sur la qualité de l'air", "published a report on air quality {A}", "veröffentlichte {A} einen Bericht zur Luftqualität", "опубликовал {A} доклад о качестве воздуха"}, "climate"},
	{tr{"a doublé {A} ses investissements dans l'énergie solaire", "doubled its investment in solar energy {A}", "verdoppelte {A} die Investitionen in Solarenergie", "удвоил {A} инвестиции в солнечную энергетику"}, "energy"},
	{tr{"a baissé {A} de {n} % le prix des abonnements", "cut the price of season tickets by {n} percent {A}", "senkte {A} den Preis der Jahreskarten um {n} Prozent", "снизил {A} цены на абонементы на {n} процентов"}, "transport"},
	{tr{"a recruté {A} {n} nouveaux enseignants", "hired {n} new teachers {A}", "stellte {A} {n} neue Lehrkräfte ein", "нанял {A} {n} новых учителей"}, "education"},
	{tr{"a défendu {A} sa décision devant le Parlement", "defended the decision before parliament {A}", "verteidigte {A} die Entscheidung vor dem Parlament", "защитил {A} своё решение в парламенте"}, "elections"},
	{tr{"a demandé {A} un délai pour étudier les chiffres", "asked for more time to study the figures {A}", "bat {A} um mehr Zeit für die Prüfung der Zahlen", "попросил {A} больше времени на изучение цифр"}, "budget"},
	{tr{"a réclamé {A} des élections anticipées", "called for early elections {A}", "forderte {A} vorgezogene Neuwahlen", "потребовал {A} досрочных выборов"}, "elections"},
	{tr{"a promis {A} de reconstruire le pont avant l'hiver", "promised to rebuild the bridge before winter {A}", "versprach {A}, die Brücke vor dem Winter wieder aufzubauen", "пообещал {A} восстановить мост до зимы"}, "transport"},
	{tr{"a fermé {A} {n} bureaux de poste ruraux", "closed {n} rural post offices {A}", "schloss {A} {n} Postfilialen auf dem Land", "закрыл {A} {n} сельских почтовых отделений"}, "budget"},
	{tr{"a révisé {A} sa prévision de croissance à {d},{d} %", "revised its growth forecast to {d}.{d} percent {A}", "senkte {A} die Wachstumsprognose auf {d},{d} Prozent", "понизил {A} прогноз роста до {d},{d} процента"}, "economy"},
	{tr{"a rationné {A} l'eau potable pendant la sécheresse", "rationed drinking water during the drought {A}", "rationierte {A} das Trinkwasser während der Dürre", "ограничил {A} подачу питьевой воды во время засухи"}, "water"},
	{tr{"a renforcé {A} les contrôles à la frontière", "stepped up checks at the border {A}", "verschärfte {A} die Kontrollen an der Grenze", "усилил {A} контроль на границе"}, "borders"},
	{tr{"a inauguré {A} une exposition consacrée aux photographes de presse", "opened an exhibition devoted to press photographers {A}", "eröffnete {A} eine Ausstellung über Pressefotografen", "открыл {A} выставку фотографов-репортёров"}, "culture"},
	{tr{"a présenté {A} un plan contre les inondations", "presented a plan against flooding {A}", "stellte {A} einen Plan gegen Hochwasser vor", "представил {A} план защиты от наводнений"}, "climate"},
	{tr{"a annulé {A} le championnat régional de cyclisme", "cancelled the regional cycling championship {A}", "sagte {A} die regionale Radmeisterschaft ab", "отменил {A} региональный чемпионат по велоспорту"}, "sport"},
	{tr{"a relevé {A} le salaire minimum de {n} euros", "raised the minimum wage by {n} euros {A}", "erhöhte {A} den Mindestlohn um {n} Euro", "повысил {A} минимальную зарплату на {n} евро"}, "economy"},
	{tr{"a découvert {A} une nouvelle espèce de libellule", "discovered a new species of dragonfly {A}", "entdeckte {A} eine neue Libellenart", "обнаружил {A} новый вид стрекоз"}, "science"},
}

// Each place carries its country tag ("" for a phrase of time or manner).
type place struct {
	tr
	country string
}

var adverbials = []place{
	{tr{"en Ouzbékistan", "in Uzbekistan", "in Usbekistan", "в Узбекистане"}, "uzbekistan"},
	{tr{"à Samarcande", "in Samarkand", "in Samarkand", "в Самарканде"}, "uzbekistan"},
	{tr{"aux États-Unis", "in the United States", "in den Vereinigten Staaten", "в Соединённых Штатах"}, "united-states"},
	{tr{"dans le Rhode Island", "in Rhode Island", "in Rhode Island", "в Род-Айленде"}, "united-states"},
	{tr{"en Rhénanie-du-Nord-Westphalie", "in North Rhine-Westphalia", "in Nordrhein-Westfalen", "в Северном Рейне-Вестфалии"}, "germany"},
	{tr{"dans le Bade-Wurtemberg", "in Baden-Württemberg", "in Baden-Württemberg", "в Баден-Вюртемберге"}, "germany"},
	{tr{"en Mecklembourg-Poméranie-Occidentale", "in Mecklenburg-Western Pomerania", "in Mecklenburg-Vorpommern", "в Мекленбурге-Передней Померании"}, "germany"},
	{tr{"à Saint-Pétersbourg", "in Saint Petersburg", "in Sankt Petersburg", "в Санкт-Петербурге"}, "russia"},
	{tr{"à Nijni Novgorod", "in Nizhny Novgorod", "in Nischni Nowgorod", "в Нижнем Новгороде"}, "russia"},
	{tr{"à Khanty-Mansiïsk", "in Khanty-Mansiysk", "in Chanty-Mansijsk", "в Ханты-Мансийске"}, "russia"},
	{tr{"en Provence-Alpes-Côte d'Azur", "in Provence-Alpes-Côte d'Azur", "in der Provence-Alpes-Côte d'Azur", "в Провансе — Альпах — Лазурном Береге"}, "france"},
	{tr{"à Châlons-en-Champagne", "in Châlons-en-Champagne", "in Châlons-en-Champagne", "в Шалон-ан-Шампани"}, "france"},
	{tr{"à Zurich", "in Zürich", "in Zürich", "в Цюрихе"}, "switzerland"},
	{tr{"mardi", "on Tuesday", "am Dienstag", "во вторник"}, ""},
	{tr{"la semaine dernière", "last week", "in der vergangenen Woche", "на прошлой неделе"}, ""},
	{tr{"après des mois de négociations", "after months of negotiations", "nach monatelangen Verhandlungen", "после многомесячных переговоров"}, ""},
	{tr{"malgré de vives protestations", "despite loud protests", "trotz heftiger Proteste", "несмотря на громкие протесты"}, ""},
	{tr{"pour la troisième année consécutive", "for the third year running", "zum dritten Mal in Folge", "третий год подряд"}, ""},
	{tr{"à l'issue d'une longue séance", "at the end of a long session", "am Ende einer langen Sitzung", "по итогам долгого заседания"}, ""},
	{tr{"dans la capitale", "in the capital", "in der Hauptstadt", "в столице"}, ""},
}

// Sources, for "according to …" (French: after "selon"; English: after
// "according to"; German: the subject of "wie … mitteilte"; Russian: the
// genitive after "по данным").
var sources = []tr{
	{"l'agence de presse régionale", "the regional news agency", "die regionale Nachrichtenagentur", "регионального информагентства"},
	{"le ministère", "the ministry", "das Ministerium", "министерства"},
	{"plusieurs élus locaux", "several local councillors", "ein Sprecher der Behörde", "местных депутатов"},
	{"un rapport interne", "an internal report", "ein interner Bericht", "внутреннего отчёта"},
	{"les services statistiques", "the statistics office", "das Statistikamt", "статистического управления"},
}

// Closers end a sentence after a comma.
var closers = []tr{
	{"a indiqué un porte-parole", "a spokesperson said", "teilte ein Sprecher mit", "сообщил представитель ведомства"},
	{"ont confirmé les services de l'État", "officials confirmed", "bestätigten Behördenvertreter", "подтвердили в администрации"},
	{"selon des chiffres publiés lundi", "according to figures released on Monday", "wie aus am Montag veröffentlichten Zahlen hervorgeht", "говорится в опубликованном в понедельник отчёте"},
	{"ce qui a surpris de nombreux observateurs", "which surprised many observers", "was viele Beobachter überraschte", "что удивило многих наблюдателей"},
	{"une première depuis la crise financière", "a first since the financial crisis", "zum ersten Mal seit der Finanzkrise", "впервые после финансового кризиса"},
}

// People quoted, with their role; female picks the Russian verb's gender.
type person struct {
	name   string // in Latin script
	ru     string // in Cyrillic
	role   tr
	female bool
}

var people = []person{
	{"Hélène Marchetti-Roux", "Элен Маркетти-Ру", tr{"économiste à l'université", "an economist at the university", "Ökonomin an der Universität", "экономист университета"}, true},
	{"Jérôme Lefèvre", "Жером Лефевр", tr{"conseiller municipal", "a city councillor", "Stadtrat", "городской депутат"}, false},
	{"Katrin Oberhäuser", "Катрин Оберхойзер", tr{"porte-parole des agriculteurs", "a spokeswoman for the farmers", "Sprecherin der Landwirte", "представитель фермеров"}, true},
	{"Jürgen Weißmüller", "Юрген Вайсмюллер", tr{"directeur de la chambre de commerce", "the head of the chamber of commerce", "Präsident der Handelskammer", "глава торговой палаты"}, false},
	{"Anna Vorontsova", "Анна Воронцова", tr{"chercheuse en climatologie", "a climate researcher", "Klimaforscherin", "климатолог"}, true},
	{"Dmitri Belozerov", "Дмитрий Белозёров", tr{"syndicaliste", "a trade unionist", "Gewerkschafter", "профсоюзный активист"}, false},
	{"Margaret Holloway", "Маргарет Холлоуэй", tr{"ancienne ministre", "a former minister", "ehemalige Ministerin", "бывший министр"}, true},
	{"Daniel Okafor", "Дэниел Окафор", tr{"avocat", "a lawyer", "Rechtsanwalt", "адвокат"}, false},
	{"Rustam Nazarov", "Рустам Назаров", tr{"entrepreneur à Tachkent", "a businessman in Tashkent", "Unternehmer in Taschkent", "предприниматель из Ташкента"}, false},
	{"Élodie Garnier", "Элоди Гарнье", tr{"médecin urgentiste", "an emergency doctor", "Notärztin", "врач скорой помощи"}, true},
}

// said introduces reported speech after "Name, role,": French and Russian
// take a clause with "que"/"что"; English one with "that"; German a colon
// and a main clause (no verb-final clause to build).
var said = map[string][2]string{ // male, female
	"fr": {"a rappelé que", "a rappelé que"},
	"en": {"pointed out that", "pointed out that"},
	"de": {"bestätigte die Angaben:", "bestätigte die Angaben:"},
	"ru": {"напомнил, что", "напомнила, что"},
}

// Sentence frames: {S} the subject (capitalized at the start), {P} the
// predicate, {SRC} a source, {C} a closer, {WHO} "Name, role,", {SAY} the
// verb of saying.
var frames = map[string][]string{
	"fr": {"{S} {P}.", "Selon {SRC}, {S} {P}.", "{S} {P}, {C}.", "{WHO} {SAY} {S} {P}.", "Plus tôt dans l'année, {S} {P}."},
	"en": {"{S} {P}.", "According to {SRC}, {S} {P}.", "{S} {P}, {C}.", "{WHO} {SAY} {S} {P}.", "Earlier in the year, {S} {P}."},
	"de": {"{S} {P}.", "{S} {P}, wie {SRC} mitteilte.", "{S} {P}, {C}.", "{WHO} {SAY} {S} {P}.", "{S} {P}, schon zum zweiten Mal in diesem Jahr."},
	"ru": {"{S} {P}.", "По данным {SRC}, {S} {P}.", "{S} {P}, {C}.", "{WHO} {SAY} {S} {P}.", "Ранее в этом году {S} {P}."},
}

var headings = []tr{
	{"Ce qui va changer", "What will change", "Was sich ändert", "Что изменится"},
	{"Les chiffres", "The figures", "Die Zahlen", "Цифры"},
	{"Un long débat", "A long debate", "Eine lange Debatte", "Долгая дискуссия"},
	{"Les réactions", "Reactions", "Die Reaktionen", "Реакция"},
	{"Derrière les chiffres", "Behind the numbers", "Hinter den Zahlen", "За цифрами"},
	{"Le point de vue des régions", "The view from the regions", "Der Blick aus den Regionen", "Взгляд из регионов"},
	{"Et maintenant ?", "What next?", "Wie geht es weiter?", "Что дальше?"},
	{"Un précédent", "A precedent", "Ein Präzedenzfall", "Прецедент"},
}

var quotes = []tr{
	{"Nous ne renoncerons pas à ce projet, quel qu'en soit le coût.", "We will not give up on this project, whatever it costs.", "Wir geben dieses Projekt nicht auf, koste es, was es wolle.", "Мы не откажемся от этого проекта, чего бы это ни стоило."},
	{"Personne ne nous a consultés avant de prendre cette décision.", "Nobody asked us before this decision was taken.", "Niemand hat uns vor dieser Entscheidung gefragt.", "Никто не спросил нас перед тем, как принять это решение."},
	{"Les chiffres parlent d'eux-mêmes : la situation s'améliore.", "The figures speak for themselves: things are getting better.", "Die Zahlen sprechen für sich: Die Lage bessert sich.", "Цифры говорят сами за себя: ситуация улучшается."},
	{"C'est une journée historique pour toute la région.", "This is a historic day for the whole region.", "Das ist ein historischer Tag für die ganze Region.", "Это исторический день для всего региона."},
	{"Il faudra des années pour réparer les dégâts.", "It will take years to repair the damage.", "Es wird Jahre dauern, die Schäden zu beheben.", "На устранение ущерба уйдут годы."},
	{"Nous avons besoin de plus de temps et de plus de moyens.", "We need more time and more money.", "Wir brauchen mehr Zeit und mehr Geld.", "Нам нужно больше времени и больше средств."},
}

// The site's sections; the topics of predicates map onto them.
var sections = []struct {
	slug  string
	names tr
}{
	{"politics", tr{"Politique", "Politics", "Politik", "Политика"}},
	{"economy", tr{"Économie", "Economy", "Wirtschaft", "Экономика"}},
	{"society", tr{"Société", "Society", "Gesellschaft", "Общество"}},
	{"environment", tr{"Environnement", "Environment", "Umwelt", "Экология"}},
	{"culture", tr{"Culture", "Culture", "Kultur", "Культура"}},
	{"sport", tr{"Sport", "Sport", "Sport", "Спорт"}},
	{"science", tr{"Sciences", "Science", "Wissenschaft", "Наука"}},
}

// sectionOf is the section of a story on a topic.
var sectionOf = map[string]string{
	"budget": "economy", "economy": "economy", "energy": "economy",
	"elections": "politics", "justice": "politics", "borders": "politics",
	"transport": "society", "health": "society", "education": "society",
	"climate": "environment", "water": "environment",
	"culture": "culture", "sport": "sport", "science": "science",
}

// Tags: the countries of the places and the topics of the predicates. A
// tag has one name; the archive's desk names them in English.
var countryTags = []struct{ slug, name string }{
	{"uzbekistan", "Uzbekistan"}, {"united-states", "United States"}, {"germany", "Germany"},
	{"russia", "Russia"}, {"france", "France"}, {"switzerland", "Switzerland"},
}

var topicTags = []struct{ slug, name string }{
	{"budget", "Budget"}, {"elections", "Elections"}, {"justice", "Justice"}, {"transport", "Transport"},
	{"health", "Health"}, {"energy", "Energy"}, {"climate", "Climate"}, {"education", "Education"},
	{"economy", "Economy"}, {"water", "Water"}, {"borders", "Borders"}, {"culture", "Culture"},
	{"sport", "Sport"}, {"science", "Science"},
}

// Authors write in one or two languages.
var authors = []struct {
	slug, name, bio string
	langs           []string
}{
	{"claire-dautremont", "Claire Dautremont", "Correspondante économique, elle suit les budgets publics et l'énergie.", []string{"fr", "en"}},
	{"yves-kerherve", "Yves Kerhervé", "Reporter société, spécialiste des transports et de la santé.", []string{"fr"}},
	{"samuel-achterberg", "Samuel Achterberg", "Covers politics and the courts; previously a local radio reporter.", []string{"en"}},
	{"priya-lindqvist", "Priya Lindqvist", "Science and climate writer for the English edition.", []string{"en", "de"}},
	{"lotte-brenninger", "Lotte Brenninger", "Berichtet über Landespolitik und Verkehr aus Nordrhein-Westfalen.", []string{"de"}},
	{"matthias-oesterle", "Matthias Österle", "Wirtschaftsredakteur mit Schwerpunkt Energie und Handel.", []string{"de", "en"}},
	{"irina-sokolova", "Ирина Соколова", "Корреспондент в Санкт-Петербурге: политика, город, культура.", []string{"ru"}},
	{"timur-akhmedov", "Тимур Ахмедов", "Пишет об экономике Центральной Азии и Узбекистана.", []string{"ru", "en"}},
	{"noemie-vasseur", "Noémie Vasseur", "Culture et sport, en français et en allemand.", []string{"fr", "de"}},
}
