package demo

import (
	"strings"
	"unicode/utf8"

	"masthead/internal/blocks"
)

// The demo content describes a fictional world: the Republic of Équimont, its
// autonomous region "the Valley" (la Vallée) along the river Lanne, the towns
// of Varenne-sur-Lanne, Pontvieux, Selanges and Saint-Orlac, and two
// neighbours, Kestria and Norhavn. Every name, person, outlet and quotation
// below is invented; source URLs live on .example domains.

// Dataset is everything `masthead serve --demo` loads into an empty database.
type Dataset struct {
	Sections []Section
	Tags     []Tag
	Authors  []Author
	Articles []Article
}

// Section is a site section; Parent is the parent's slug or "".
type Section struct {
	Slug, Parent string
	Names        map[string]string // by language: "fr", "en"
}

// Tag is a country or topic tag.
type Tag struct{ Slug, Name, Kind string } // Kind: "country" | "topic"

// Author is a byline.
type Author struct{ Slug, Name, Bio string }

// Picture describes a generated photo (see drawPicture).
type Picture struct {
	Seed                            int64
	Width, Height                   int
	Caption, Credit, Alt, SourceURL string
}

// Comment is a reader comment; Parent is the Ref of the parent comment or "".
type Comment struct {
	Ref, Parent                     string
	AuthorName, Email, Body, Status string // Status: approved | pending | rejected | spam
	Member                          bool
	AgeMinutes                      int
}

// Article is one language version of a story.
type Article struct {
	Ref                                    string
	TranslationKey                         string
	Lang, Slug, Title, Standfirst, Section string
	Tags, Authors                          []string
	SourceName, SourceURL                  string
	Access                                 string // public | registered | subscribers
	PreviewBreak                           *int
	Status                                 string // published | draft | scheduled
	AgeHours                               int    // negative for scheduled = in the future
	Photo                                  Picture
	InlinePhotos                           []Picture
	Body                                   []blocks.Block
	CommentsEnabled                        bool
	Comments                               []Comment
}

// ---- small constructors so the article literals stay readable ----

type span struct{ typ, sub, href string }

func bold(sub string) span          { return span{"bold", sub, ""} }
func italic(sub string) span        { return span{"italic", sub, ""} }
func link(sub, href string) span    { return span{"link", sub, href} }
func para(text string) blocks.Block { return blocks.Block{Type: "paragraph", Text: text} }
func h2(text string) blocks.Block   { return blocks.Block{Type: "heading", Level: 2, Text: text} }
func h3(text string) blocks.Block   { return blocks.Block{Type: "heading", Level: 3, Text: text} }
func intp(i int) *int               { return &i }

// marked builds a paragraph whose marks are located by substring, so that the
// rune offsets (code points, End exclusive) are computed, never typed by hand.
// Each span marks the first occurrence of its substring.
func marked(text string, spans ...span) blocks.Block {
	b := para(text)
	for _, s := range spans {
		i := strings.Index(text, s.sub)
		if s.sub == "" || i < 0 {
			panic("demo: marked substring not found: " + s.sub)
		}
		start := utf8.RuneCountInString(text[:i])
		b.Marks = append(b.Marks, blocks.Mark{
			Type:  s.typ,
			Start: start,
			End:   start + utf8.RuneCountInString(s.sub),
			Href:  s.href,
		})
	}
	return b
}

func quote(text, cite string) blocks.Block {
	return blocks.Block{Type: "quote", Text: text, Cite: cite}
}

func bullets(items ...string) blocks.Block {
	return blocks.Block{Type: "list", Items: items}
}

func numbered(items ...string) blocks.Block {
	return blocks.Block{Type: "list", Ordered: true, Items: items}
}

// photo is a photo block; the loader fills PhotoID from Article.InlinePhotos,
// in order of appearance.
func photo(caption string) blocks.Block {
	return blocks.Block{Type: "photo", Caption: caption}
}

func embed(url, provider string) blocks.Block {
	return blocks.Block{Type: "embed", URL: url, Provider: provider}
}

const (
	creditFR = "Photo : Agence Vallée"
	creditEN = "Photo: Valley Press Agency"
)

func dataset() Dataset {
	return Dataset{
		Sections: []Section{
			{Slug: "politique", Names: map[string]string{"fr": "Politique", "en": "Politics"}},
			{Slug: "diplomatie", Parent: "politique", Names: map[string]string{"fr": "Diplomatie", "en": "Diplomacy"}},
			{Slug: "societe", Names: map[string]string{"fr": "Société", "en": "Society"}},
			{Slug: "environnement", Parent: "societe", Names: map[string]string{"fr": "Environnement", "en": "Environment"}},
			{Slug: "economie", Names: map[string]string{"fr": "Économie", "en": "Economy"}},
			{Slug: "culture", Names: map[string]string{"fr": "Culture", "en": "Culture"}},
		},
		Tags: []Tag{
			{Slug: "equimont", Name: "Équimont", Kind: "country"},
			{Slug: "kestria", Name: "Kestria", Kind: "country"},
			{Slug: "norhavn", Name: "Norhavn", Kind: "country"},
			{Slug: "eau", Name: "Eau", Kind: "topic"},
			{Slug: "elections", Name: "Élections", Kind: "topic"},
			{Slug: "sante", Name: "Santé", Kind: "topic"},
			{Slug: "transports", Name: "Transports", Kind: "topic"},
			{Slug: "frontieres", Name: "Frontières", Kind: "topic"},
			{Slug: "climat", Name: "Climat", Kind: "topic"},
		},
		Authors: []Author{
			{Slug: "lea-morvand", Name: "Léa Morvand", Bio: "Covers politics and diplomacy in the Valley from Varenne-sur-Lanne. Before joining the newsroom she spent eight years at a regional radio station."},
			{Slug: "jonas-ekdahl", Name: "Jonas Ekdahl", Bio: "Economy and transport reporter, based in Pontvieux. Writes mostly in English and follows the Norhavn and Kestria beats."},
			{Slug: "nadia-ferreira", Name: "Nadia Ferreira", Bio: "Société, santé et environnement. Ancienne infirmière, elle enquête sur les services publics de la Vallée depuis six ans."},
		},
		Articles: articles(),
	}
}

func articles() []Article {
	return []Article{
		// ---------------------------------------------------------------
		// Translation pair, French version (public).
		{
			Ref:            "summit-fr",
			TranslationKey: "summit",
			Lang:           "fr",
			Slug:           "sommet-de-la-vallee",
			Title:          "Sommet de la Vallée : Équimont et la Kestrie signent un accord sur le partage de la Lanne",
			Standfirst:     "Après deux jours de discussions à Varenne-sur-Lanne, les deux pays s’engagent à garantir un débit minimal du fleuve pendant l’été.",
			Section:        "diplomatie",
			Tags:           []string{"equimont", "kestria", "eau"},
			Authors:        []string{"lea-morvand"},
			SourceName:     "Le Courrier de la Vallée",
			SourceURL:      "https://courrier-vallee.example/diplomatie/accord-lanne-varenne",
			Access:         "public",
			Status:         "published",
			AgeHours:       30,
			Photo: Picture{
				Seed: 1001, Width: 2048, Height: 1365,
				Caption:   "Hélène Carvel, présidente du conseil de la Vallée, et Piotr Vandrak, ministre kestrien des Eaux, à Varenne-sur-Lanne le 14 octobre.",
				Credit:    creditFR,
				Alt:       "Deux responsables se serrent la main devant une rangée de drapeaux, au bord d’un fleuve.",
				SourceURL: "https://photos.agence-vallee.example/sommet-varenne",
			},
			Body: []blocks.Block{
				para("Équimont et la Kestrie ont signé mardi 14 octobre à Varenne-sur-Lanne un accord qui fixe, pour la première fois, un débit minimal de la Lanne pendant les mois d’été, rapporte Le Courrier de la Vallée. Le texte, négocié pendant près de deux ans, prévoit que les barrages kestriens situés en amont laissent passer au moins quarante mètres cubes par seconde entre juin et septembre."),
				para("En échange, la Vallée s’engage à réduire de moitié les prélèvements pour l’irrigation d’ici cinq ans et à financer une station de mesure commune à la frontière, près du col de Haute-Col."),
				quote("Ce fleuve ne connaît pas nos frontières. Il était temps que nos signatures le reconnaissent.", "Hélène Carvel, présidente du conseil de la Vallée"),
				para("Les associations d’agriculteurs de Selanges ont salué «\u00a0un premier pas\u00a0» mais demandent un calendrier plus précis pour les aides à la conversion. La signature a été retransmise en direct par la télévision régionale."),
				embed("https://video.example/watch/sommet-varenne-signature", "video"),
			},
			CommentsEnabled: true,
			Comments: []Comment{
				{Ref: "c1", AuthorName: "Bernard Quentel", Email: "bernard.quentel@example.com", Body: "Enfin ! Quarante mètres cubes, c’est peu, mais c’est écrit noir sur blanc.", Status: "approved", AgeMinutes: 1700},
				{Ref: "c2", Parent: "c1", AuthorName: "Sophie Laval", Email: "sophie.laval@example.org", Body: "Écrit, oui. Mais qui vérifiera les débits ? La station commune n’existe pas encore.", Status: "approved", Member: true, AgeMinutes: 1650},
				{Ref: "c3", Parent: "c2", AuthorName: "Bernard Quentel", Email: "bernard.quentel@example.com", Body: "L’article dit qu’elle sera financée par la Vallée. Rendez-vous dans un an pour voir si elle est construite.", Status: "approved", AgeMinutes: 1600},
				{Ref: "c4", Parent: "c1", AuthorName: "Marc Oudin", Email: "marc.oudin@example.com", Body: "Et les pêcheurs de Pontvieux, personne ne leur a demandé leur avis ?", Status: "pending", AgeMinutes: 45},
				{Ref: "c5", AuthorName: "Inès Radu", Email: "ines.radu@example.org", Body: "Très bon résumé, merci pour le lien vers la vidéo de la signature.", Status: "approved", Member: true, AgeMinutes: 900},
			},
		},
		// ---------------------------------------------------------------
		// Translation pair, English version (public).
		{
			Ref:            "summit-en",
			TranslationKey: "summit",
			Lang:           "en",
			Slug:           "valley-summit",
			Title:          "Valley summit: Équimont and Kestria sign deal on sharing the Lanne",
			Standfirst:     "After two days of talks in Varenne-sur-Lanne, the two countries commit to a minimum summer flow for the river.",
			Section:        "diplomatie",
			Tags:           []string{"equimont", "kestria", "eau"},
			Authors:        []string{"lea-morvand", "jonas-ekdahl"},
			SourceName:     "Le Courrier de la Vallée",
			SourceURL:      "https://courrier-vallee.example/diplomatie/accord-lanne-varenne",
			Access:         "public",
			Status:         "published",
			AgeHours:       26,
			Photo: Picture{
				Seed: 1002, Width: 2048, Height: 1365,
				Caption:   "Hélène Carvel, president of the Valley council, and Piotr Vandrak, Kestria’s water minister, in Varenne-sur-Lanne on 14 October.",
				Credit:    creditEN,
				Alt:       "Two officials shake hands in front of a row of flags on a riverbank.",
				SourceURL: "https://photos.agence-vallee.example/sommet-varenne",
			},
			Body: []blocks.Block{
				para("Équimont and Kestria signed an agreement in Varenne-sur-Lanne on Tuesday 14 October that sets, for the first time, a minimum summer flow for the river Lanne, Le Courrier de la Vallée reports. The text, negotiated for almost two years, requires Kestria’s upstream dams to release at least forty cubic metres per second between June and September."),
				para("In return, the Valley promises to halve water taken for irrigation within five years and to pay for a joint gauging station on the border, near the Haute-Col pass."),
				quote("This river does not know our borders. It was time our signatures acknowledged it.", "Hélène Carvel, president of the Valley council"),
				para("Farmers’ associations in Selanges called the deal “a first step” but want a clearer timetable for conversion grants. The signing was broadcast live on regional television."),
				embed("https://video.example/watch/sommet-varenne-signature", "video"),
			},
			CommentsEnabled: true,
			Comments: []Comment{
				{Ref: "e1", AuthorName: "Hannah Brier", Email: "hannah.brier@example.org", Body: "Good to finally see this in English. Forty cubic metres sounds low for August, though.", Status: "approved", AgeMinutes: 1400},
				{Ref: "e2", Parent: "e1", AuthorName: "Ole Marten", Email: "ole.marten@example.com", Body: "It is the legal floor, not the target. Most summers the flow is well above it.", Status: "approved", Member: true, AgeMinutes: 1320},
				{Ref: "e3", AuthorName: "Sam Okoro", Email: "sam.okoro@example.com", Body: "Will the joint gauging station publish its readings online?", Status: "pending", AgeMinutes: 20},
			},
		},
		// ---------------------------------------------------------------
		// Subscribers-only French investigation with a long first paragraph
		// and the only PreviewBreak in the dataset.
		{
			Ref:            "wells",
			TranslationKey: "wells",
			Lang:           "fr",
			Slug:           "lanne-ete-puits-a-sec",
			Title:          "Lanne : l’été où les puits de la Vallée se sont tus",
			Standfirst:     "Plus de la moitié des puits privés du canton de Selanges étaient à sec fin août. Enquête sur une nappe que personne n’a vue s’épuiser.",
			Section:        "environnement",
			Tags:           []string{"equimont", "eau", "climat"},
			Authors:        []string{"nadia-ferreira"},
			Access:         "subscribers",
			PreviewBreak:   intp(2),
			Status:         "published",
			AgeHours:       5,
			Photo: Picture{
				Seed: 1003, Width: 2048, Height: 1365,
				Caption: "Mathilde Arnaud, éleveuse, devant le puits asséché de sa ferme de Selanges, le 3 septembre.",
				Credit:  creditFR,
				Alt:     "Une femme penchée au-dessus d’un vieux puits en pierre, dans une cour de ferme poussiéreuse.",
			},
			Body: []blocks.Block{
				para("Le 3 septembre, à l’aube, Mathilde Arnaud a descendu pour la dernière fois le seau dans le puits de sa ferme de Selanges, sur la rive gauche de la Lanne, et l’a remonté vide. «\u00a0Mon grand-père disait que ce puits n’avait jamais manqué, même pendant la grande sécheresse de ses vingt ans\u00a0», raconte l’éleveuse, qui fait désormais venir deux citernes par semaine pour abreuver ses quarante vaches. Elle n’est pas la seule\u00a0: selon le relevé publié le 12 septembre par l’Office des eaux de la Vallée, cent dix-sept puits privés sur les deux cent trente recensés dans le canton étaient à sec à la fin de l’été, un chiffre jamais atteint depuis le début des mesures. La Lanne elle-même, qui descend d’ordinaire des hauteurs d’Équimont avec un débit généreux jusqu’en octobre, n’était plus qu’un filet d’eau tiède sous le pont de Pontvieux à la mi-août, rapporte Le Courrier de la Vallée, qui a consacré une série d’articles à cette crise. Dans les villages, on parle de fatalité\u00a0; à l’Office, on évoque plutôt une nappe trop sollicitée depuis vingt ans, par l’irrigation du maïs comme par les forages de particuliers, et des hivers trop doux pour la recharger."),
				para("Pendant trois semaines, nous avons consulté les registres de forage du canton, interrogé une trentaine d’agriculteurs, d’élus et d’hydrogéologues, et comparé les relevés de l’Office avec ceux, plus anciens, conservés par la mairie de Selanges."),
				h2("Une nappe vidée en silence"),
				para("Les chiffres sont sans appel. En vingt ans, le nombre de forages déclarés dans le canton est passé de quatre-vingt-dix à plus de six cents, selon les registres que nous avons pu consulter. Près d’un tiers d’entre eux servent à arroser des jardins ou à remplir des piscines. «\u00a0Chaque forage, pris seul, est minuscule. Mais six cents pailles plantées dans le même verre, ça finit par le vider\u00a0», résume Karim Beaulieu, hydrogéologue à l’université de Varenne, qui suit la nappe de Selanges depuis quinze ans."),
				para("Le niveau moyen de la nappe a baissé de quatre mètres en deux décennies. Les hivers, eux, ont perdu en moyenne dix-huit jours de gel et une bonne part de leurs pluies lentes, celles qui s’infiltrent au lieu de ruisseler. Or ce sont précisément ces pluies d’hiver qui rechargent les réserves souterraines dont dépendent les puits peu profonds des vieilles fermes."),
				quote("Nous avons géré l’eau comme si la nappe était un fleuve souterrain inépuisable. C’est un réservoir, et nous l’avons laissé se vider.", "Karim Beaulieu, hydrogéologue à l’université de Varenne"),
				h3("Des alertes restées lettre morte"),
				para("L’Office des eaux n’a pourtant pas été pris de court. Il y a neuf ans déjà, un rapport interne recommandait de plafonner les nouveaux forages dans le canton et d’installer des compteurs sur les plus importants. Le rapport a été transmis au conseil de la Vallée, qui l’a classé sans suite. Interrogé le 18 septembre, le vice-président chargé de l’environnement, Alain Fourcade, reconnaît «\u00a0un retard collectif\u00a0» et promet un moratoire sur les forages de loisirs dès le printemps prochain."),
				para("Fin septembre, Mathilde Arnaud a vendu dix de ses vaches. Elle dit qu’elle gardera les autres tant que les citernes arriveront, et qu’elle rebouchera le puits de son grand-père s’il le faut. Son voisin, lui, a déjà fait creuser vingt mètres plus bas. À Selanges, on a appris cet été que même un puits centenaire pouvait prendre sa retraite."),
			},
			CommentsEnabled: true,
			Comments: []Comment{
				{Ref: "w1", AuthorName: "Gaëlle Morin", Email: "gaelle.morin@example.org", Body: "Enquête remarquable. Le passage sur les six cents pailles est parlant.", Status: "approved", Member: true, AgeMinutes: 200},
				{Ref: "w2", AuthorName: "Forage Express", Email: "promo@example.com", Body: "Votre puits est à sec ? Forage garanti en 48 h, devis gratuit, appelez vite !", Status: "spam", AgeMinutes: 150},
			},
		},
		// ---------------------------------------------------------------
		// Subscribers-only English long read with headings and an ordered list.
		{
			Ref:            "budget",
			TranslationKey: "budget",
			Lang:           "en",
			Slug:           "inside-valley-budget-talks",
			Title:          "Inside the all-night talks that saved the Valley’s budget",
			Standfirst:     "Twelve hours, three walkouts and one borrowed whiteboard: how the council’s rival groups reached a deal before the legal deadline.",
			Section:        "politique",
			Tags:           []string{"equimont", "elections"},
			Authors:        []string{"lea-morvand"},
			Access:         "subscribers",
			Status:         "published",
			AgeHours:       52,
			Photo: Picture{
				Seed: 1004, Width: 1600, Height: 1067,
				Caption: "Councillors Bruno Téllez and Agathe Mirel leave the council building in Varenne-sur-Lanne at dawn on 9 October.",
				Credit:  creditEN,
				Alt:     "Two tired people in coats walk down the steps of a stone building in early morning light.",
			},
			Body: []blocks.Block{
				para("At 6.40 on the morning of Thursday 9 October, twenty minutes before the legal deadline, the Valley council adopted its budget for next year by thirty-one votes to twenty-four. The vote closed a night of negotiations that several participants described as the hardest since the region gained its autonomy, and that nearly ended, three times, with one side walking out for good."),
				para("This account is based on interviews with eleven councillors and staff members from all three groups, most of whom asked not to be named because the talks were held behind closed doors. Their recollections were checked against each other and against the notes of two participants."),
				h2("A gap of forty million"),
				para("When the session opened at 18.30 on Wednesday, the governing coalition and the opposition were forty million apart. The coalition wanted to fund the new water-metering programme promised after the summer drought; the opposition refused any increase in the regional property levy and demanded that the money come from cuts to the transport budget instead. The small Pontvieux list, whose five votes decided the majority, wanted neither, and asked for its ferry subsidies to be protected."),
				para("By midnight, almost nothing had moved. A councillor from the opposition remembers a long silence after a finance officer projected the updated tables on the wall. “Everyone was waiting for someone else to blink,” she said. Shortly afterwards the Pontvieux group left the room for the first time, announcing they would return only with a written offer."),
				h3("The whiteboard"),
				para("The breakthrough, several people said, came from a borrowed whiteboard wheeled in from a committee room at around two in the morning. Bruno Téllez, who chairs the finance committee, wrote down every disputed line and invited each group to cross out one item it could live without. The exercise was repeated four times. By four o’clock, the gap had shrunk to nine million."),
				para("The final agreement, as adopted, rests on four concessions:"),
				numbered(
					"the water-metering programme is funded in full, but spread over three years instead of two;",
					"the property levy rises by half a point, not the full point the coalition had asked for;",
					"ferry subsidies on the Lanne crossings are frozen at this year’s level, not cut;",
					"a cross-party committee will review the transport budget before the spring session.",
				),
				para("Not everyone is satisfied. Agathe Mirel, who leads the opposition, voted against the final text while conceding that the night had been “more honest than most of our public debates”. The coalition, for its part, now has to explain to its own voters why the metering programme will take longer than promised during the campaign."),
				para("As the councillors filed out into the cold just before seven, a staff member wiped the whiteboard clean and rolled it back to its committee room, where it was found the next morning with a single word still faintly visible in one corner. By sunrise the coffee had run out, and so, for once, had the arguments."),
			},
			CommentsEnabled: true,
		},
		// ---------------------------------------------------------------
		// Subscribers-only French feature with an inline photo and a bullet list.
		{
			Ref:            "hospital",
			TranslationKey: "hospital",
			Lang:           "fr",
			Slug:           "urgences-varenne-nuit",
			Title:          "Une nuit aux urgences de Varenne, où tout tient à un fil",
			Standfirst:     "Faute de médecins, le seul service d’urgences de la Vallée fonctionne avec une équipe réduite de moitié. Nous y avons passé une nuit.",
			Section:        "societe",
			Tags:           []string{"equimont", "sante"},
			Authors:        []string{"nadia-ferreira"},
			Access:         "subscribers",
			Status:         "published",
			AgeHours:       120,
			Photo: Picture{
				Seed: 1005, Width: 2048, Height: 1365,
				Caption: "Élodie Garnier, infirmière de nuit, dans le couloir des urgences de l’hôpital de Varenne-sur-Lanne, le 2 octobre.",
				Credit:  creditFR,
				Alt:     "Un couloir d’hôpital éclairé au néon, des brancards alignés le long du mur.",
			},
			InlinePhotos: []Picture{
				{
					Seed: 1105, Width: 1600, Height: 1067,
					Caption: "Le docteur Yann Leclercq consulte le tableau des lits disponibles, vers trois heures du matin.",
					Credit:  creditFR,
					Alt:     "Un médecin en blouse devant un grand tableau blanc couvert de noms et de numéros de lits.",
				},
			},
			Body: []blocks.Block{
				para("Il est vingt et une heures, le jeudi 2 octobre, quand Élodie Garnier prend son poste aux urgences de l’hôpital de Varenne-sur-Lanne. Dans la salle d’attente, quatorze personnes patientent déjà. Sur le tableau de service, deux noms de médecins sur quatre sont barrés au feutre rouge. «\u00a0Ce soir, on est au complet… pour un mauvais soir\u00a0», dit l’infirmière en accrochant son badge."),
				para("Depuis le printemps, le service fonctionne la nuit avec deux médecins au lieu de quatre, selon les chiffres communiqués par la direction de l’hôpital. Trois postes sont vacants, un quatrième praticien est en arrêt maladie. Les urgences de Varenne sont pourtant les seules de la Vallée : la plus proche ensuite se trouve à deux heures de route, de l’autre côté de Haute-Col."),
				h2("Trois heures du matin"),
				para("Vers minuit arrive un motard blessé sur la route de Pontvieux, puis une femme âgée tombée dans son escalier, puis un enfant fiévreux que ses parents ont amené faute de médecin de garde dans leur village. Le docteur Yann Leclercq passe d’un box à l’autre sans s’asseoir. À trois heures, il reste vingt-deux patients à voir et un seul lit libre dans tout l’hôpital."),
				photo("Vers trois heures du matin, le tableau des lits ne compte plus qu’une case vide."),
				para("Ce que l’équipe de nuit décrit n’a rien d’exceptionnel. Dans un courrier adressé le 25 septembre à l’agence régionale de santé, que nous avons pu lire, les soignants énumèrent leurs principales difficultés :"),
				bullets(
					"des temps d’attente qui dépassent régulièrement six heures pour les cas jugés non urgents ;",
					"des patients qui passent la nuit sur un brancard faute de lit d’hospitalisation ;",
					"des intérimaires qui changent chaque semaine et ne connaissent pas le service ;",
					"l’absence de médecins de garde dans les villages, qui renvoie tout vers Varenne.",
				),
				para("À quatre heures, une ambulance arrive de Saint-Orlac avec un homme de soixante ans qui se plaint d’une douleur dans la poitrine. L’équipe laisse tout le reste en attente. Pendant vingt minutes, personne ne parle plus que par chiffres et par consignes brèves. L’homme sera transféré à l’aube vers le service de cardiologie, où un lit vient justement de se libérer. «\u00a0Celui-là, on l’a eu à temps. On ne peut pas toujours le dire\u00a0», souffle le docteur Leclercq en retirant ses gants."),
				para("La direction de l’hôpital dit avoir lancé deux campagnes de recrutement cette année et proposé des logements de fonction aux jeunes médecins. «\u00a0Nous avons eu trois candidats. Deux sont repartis après la visite\u00a0», reconnaît un cadre administratif. L’agence régionale promet, elle, une équipe mobile de renfort pour l’hiver, sans préciser de date."),
				para("À six heures, la relève arrive. Élodie Garnier transmet ses dossiers un par un, le motard est monté en chirurgie, la dame de l’escalier dort enfin dans un vrai lit. L’enfant fiévreux est reparti avec ses parents vers deux heures, guéri ou presque. En refermant son casier, l’infirmière constate que la machine à café du couloir est encore en panne. Le casier numéro quatorze, celui du médecin absent, est resté ouvert toute la nuit, au cas où."),
			},
			CommentsEnabled: true,
		},
		// ---------------------------------------------------------------
		// Registered English news story with bold/italic/link marks.
		{
			Ref:            "ferry",
			TranslationKey: "ferry",
			Lang:           "en",
			Slug:           "lanne-ferry-crews-strike",
			Title:          "Ferry crews walk out on the Lanne crossings",
			Standfirst:     "The four car ferries linking Pontvieux and the right bank stopped on Monday after talks on night-shift pay broke down.",
			Section:        "economie",
			Tags:           []string{"equimont", "transports"},
			Authors:        []string{"jonas-ekdahl"},
			SourceName:     "Pontvieux Gazette",
			SourceURL:      "https://gazette-pontvieux.example/news/ferry-strike",
			Access:         "registered",
			Status:         "published",
			AgeHours:       9,
			Photo: Picture{
				Seed: 1006, Width: 1600, Height: 1067,
				Caption: "Union representative Rosa Delmas speaks to ferry crews on Pontvieux pier on 20 October.",
				Credit:  creditEN,
				Alt:     "A woman with a megaphone addresses a small crowd in orange jackets on a pier, a moored ferry behind them.",
			},
			Body: []blocks.Block{
				para("All four car ferries crossing the Lanne at Pontvieux stayed moored on Monday 20 October after crews walked out over night-shift pay, the Pontvieux Gazette reports. The crossings normally carry around six thousand vehicles a day, many of them commuters heading to the industrial park on the right bank."),
				marked("The strike was called by the river workers’ union after what it described as the final offer from the operator, Bac-Lanne, was rejected by 87 per cent of members in a ballot on Sunday. The full ballot result is published on the union’s website.",
					bold("87 per cent of members"),
					italic("final offer"),
					link("full ballot result", "https://river-workers.example/ballots/night-shift-pay"),
				),
				para("At the heart of the dispute is a night-shift allowance that has not changed in nine years. Crews say it is worth less than half of what workers receive for comparable shifts on the Norhavn coastal ferries. The operator says any increase would have to be paid for by higher fares, which are set by the Valley council and were already raised in January."),
				para("By mid-morning on Monday, the queue for the road bridge at Selanges, forty kilometres upstream, stretched for six kilometres. Several employers on the right bank told staff to work from home; a dairy in Saint-Orlac said it had to throw away a day’s collection after its tankers were stuck in traffic."),
				para("Rosa Delmas, who speaks for the union, told crews on Pontvieux pier that the walkout would continue “until someone with the power to sign comes down to the river”. The Valley council, which funds part of the service, said it would host talks on Wednesday but would not take part in pay negotiations."),
				para("Commuters interviewed at the pier were divided. Some backed the crews and said the allowance was plainly outdated; others complained that passengers were once again paying the price for a dispute they had no part in. A student heading to the vocational college said she had left home at five to be sure of getting across by bridge."),
				para("Late on Monday evening, the operator said it would present a new offer at the Wednesday meeting, without giving details. The crews have left their lifejackets hanging in the ticket office. At Pontvieux pier, a hand-painted sign now reads: back when the river says so."),
			},
			CommentsEnabled: true,
			Comments: []Comment{
				{Ref: "f1", AuthorName: "Daniel Korsak", Email: "d.korsak@example.com", Body: "Nine years without a raise on nights is hard to defend. Good luck to the crews.", Status: "approved", Member: true, AgeMinutes: 300},
				{Ref: "f2", AuthorName: "Anonymous", Email: "noreply@example.org", Body: "Sack them all and build a second bridge.", Status: "rejected", AgeMinutes: 280},
				{Ref: "f3", Parent: "f1", AuthorName: "Mira Talven", Email: "mira.talven@example.org", Body: "Agreed, though I would like to know how much a fare rise would actually be.", Status: "pending", AgeMinutes: 30},
			},
		},
		// ---------------------------------------------------------------
		// Registered French politics story with accented marks.
		{
			Ref:            "municipales",
			TranslationKey: "municipales",
			Lang:           "fr",
			Slug:           "municipales-pontvieux-liste-citoyenne",
			Title:          "Municipales à Pontvieux : la liste citoyenne crée la surprise",
			Standfirst:     "Arrivée en tête au premier tour avec 38 % des voix, « Pontvieux en commun » bouscule les deux partis qui se partageaient la mairie depuis trente ans.",
			Section:        "politique",
			Tags:           []string{"equimont", "elections"},
			Authors:        []string{"lea-morvand", "nadia-ferreira"},
			Access:         "registered",
			Status:         "published",
			AgeHours:       200,
			Photo: Picture{
				Seed: 1007, Width: 2048, Height: 1365,
				Caption: "Clémence Aubier, tête de la liste « Pontvieux en commun », le soir du premier tour, le 28 septembre.",
				Credit:  creditFR,
				Alt:     "Une femme souriante entourée de militants applaudissant dans une salle des fêtes.",
			},
			Body: []blocks.Block{
				para("Personne, à Pontvieux, ne l’avait vu venir. Dimanche 28 septembre, la liste «\u00a0Pontvieux en commun\u00a0», menée par l’ancienne institutrice Clémence Aubier, est arrivée en tête du premier tour des élections municipales avec 38 % des suffrages exprimés, devant le maire sortant, Gérard Vallin, crédité de 31 %."),
				marked("Selon les résultats définitifs publiés lundi par la préfecture, la participation a atteint 64 %, soit près de quinze points de plus qu’au précédent scrutin. Le détail bureau par bureau montre une poussée très nette dans les quartiers du port, où la fermeture de l’école Émile-Roux avait suscité une longue mobilisation l’an dernier.",
					bold("la participation a atteint 64 %"),
					italic("près de quinze points de plus"),
					link("Le détail bureau par bureau", "https://prefecture-vallee.example/elections/pontvieux/resultats"),
				),
				para("La liste, composée de trente-trois habitants sans étiquette, a fait campagne sur trois thèmes : la réouverture d’une école de quartier, la gratuité du bac pour les moins de dix-huit ans et la création d’un conseil de quartier doté d’un vrai budget. «\u00a0Nous n’avons pas de programme national, nous avons une liste de rues\u00a0», résumait Clémence Aubier pendant la campagne."),
				h2("Un second tour très ouvert"),
				para("Le maire sortant, qui a dirigé la ville pendant deux mandats, a dénoncé au soir du premier tour «\u00a0une coalition de mécontentements sans projet commun\u00a0» et appelé les électeurs de la troisième liste, arrivée à 19 %, à le rejoindre. Celle-ci n’a pas encore donné de consigne de vote. Ses dirigeants doivent se réunir mercredi soir."),
				para("Sur les marchés, les habitants rencontrés se disent surtout surpris. «\u00a0J’ai voté pour eux parce qu’ils sont venus frapper à ma porte, voilà tout\u00a0», explique un retraité du quartier du port. Une commerçante de la place de l’Église craint au contraire «\u00a0des amateurs\u00a0» à la tête d’une ville de vingt mille habitants."),
				para("Le second tour aura lieu le dimanche 5 octobre. Quel que soit le résultat, la campagne aura déjà changé une chose : pour la première fois depuis longtemps, la salle des fêtes de Pontvieux était trop petite pour un soir d’élection, et le dernier café du port a dû rester ouvert jusqu’à deux heures du matin."),
			},
			CommentsEnabled: true,
			Comments: []Comment{
				{Ref: "m1", AuthorName: "Lucien Ferrand", Email: "lucien.ferrand@example.com", Body: "Bravo à eux. Je suis curieux de voir ce que donnera le conseil de quartier.", Status: "approved", AgeMinutes: 11000},
				{Ref: "m2", AuthorName: "test<b>", Email: "xss@example.org", Body: "Super article <script>alert(1)</script> vraiment.", Status: "approved", AgeMinutes: 10500},
				{Ref: "m3", AuthorName: "Georges P.", Email: "georges.p@example.com", Body: "Encore des amateurs qui vont ruiner la ville, vous verrez.", Status: "rejected", AgeMinutes: 10000},
				{Ref: "m4", AuthorName: "CheapPills", Email: "deals@example.org", Body: "Meilleurs prix en ligne, livraison discrète, cliquez ici.", Status: "spam", AgeMinutes: 9000},
				{Ref: "m5", Parent: "m1", AuthorName: "Clara Benoît", Email: "clara.benoit@example.org", Body: "Moi aussi. Il faudra surtout voir quel budget on lui donne.", Status: "approved", Member: true, AgeMinutes: 9500},
			},
		},
		// ---------------------------------------------------------------
		// Registered English diplomacy story with comments disabled.
		{
			Ref:            "border",
			TranslationKey: "border",
			Lang:           "en",
			Slug:           "kestria-reopens-haute-col-crossing",
			Title:          "Kestria reopens the Haute-Col crossing after eleven months",
			Standfirst:     "The mountain border post, closed since a landslide last winter, reopened to cars on Friday. Lorries will have to wait until spring.",
			Section:        "diplomatie",
			Tags:           []string{"kestria", "equimont", "frontieres", "transports"},
			Authors:        []string{"jonas-ekdahl"},
			SourceName:     "Kestrian Herald",
			SourceURL:      "https://kestrian-herald.example/news/haute-col-reopens",
			Access:         "registered",
			Status:         "published",
			AgeHours:       72,
			Photo: Picture{
				Seed: 1008, Width: 1600, Height: 1067,
				Caption: "Kestrian border officer Lidia Varga lifts the barrier at Haute-Col on 17 October.",
				Credit:  creditEN,
				Alt:     "A uniformed officer raises a red-and-white barrier on a mountain road under a clear sky.",
			},
			Body: []blocks.Block{
				para("Kestria reopened its border post at Haute-Col to cars and buses on Friday 17 October, eleven months after a landslide destroyed a section of the mountain road on the Kestrian side, the Kestrian Herald reports. The first car crossed at 8.00, to applause from a small group of villagers who had walked up from the Valley side."),
				para("The pass is the shortest route between the Valley and the Kestrian lowlands. Its closure forced drivers into a detour of almost three hours through the northern crossing, and hit the small hotels and shops on both sides of the border particularly hard. Several of them closed for the whole summer season."),
				para("Engineers from both countries rebuilt four hundred metres of road and anchored the slope above it with steel netting. The works cost about twice the original estimate, according to figures released by the Kestrian transport ministry, and were shared between the two governments under a treaty dating from the 1990s."),
				para("Heavy goods vehicles remain banned until the road surface has been through a winter. Hauliers in the Valley, who had hoped for a full reopening, called the decision overly cautious. The Kestrian ministry says it will review the restriction in April after a new round of inspections."),
				para("For the villages below the pass, the detour had become part of daily life. A school bus driver from the Valley side said he had spent the year leaving home before five, and a nurse working in a Kestrian clinic told the Herald she had rented a room near her workplace rather than face six hours on the road each day. Both said they would be back on the old route on Monday."),
				para("Valley officials welcomed the reopening as a sign of improving relations with Kestria, coming only days after the two countries signed an agreement on sharing the waters of the Lanne. Kestrian officials were more measured, describing the reopening as a purely technical matter."),
				para("In the village of Haute-Col itself, the only bakery reopened the same morning. Its owner said she had kept the ovens warm through the summer in case the barrier went up early. On Friday she sold out of bread by nine, and put a handwritten note on the door that simply said: the road is back, so are we."),
			},
			CommentsEnabled: false,
		},
		// ---------------------------------------------------------------
		// Public English digest with a video embed; same AgeHours as "border".
		{
			Ref:            "nighttrain",
			TranslationKey: "nighttrain",
			Lang:           "en",
			Slug:           "night-train-varenne-norhavn-returns",
			Title:          "Night train between Varenne and Norhavn to return in spring",
			Standfirst:     "The sleeper service, cancelled twelve years ago, will run three times a week from April.",
			Section:        "economie",
			Tags:           []string{"norhavn", "equimont", "transports", "climat"},
			Authors:        []string{"jonas-ekdahl"},
			SourceName:     "Norhavn Daily Ledger",
			SourceURL:      "https://norhavn-ledger.example/travel/night-train-returns",
			Access:         "public",
			Status:         "published",
			AgeHours:       72,
			Photo: Picture{
				Seed: 1009, Width: 2048, Height: 1365,
				Caption: "Rail operator director Henrik Aasvold presents a refurbished sleeper carriage in Norhavn on 15 October.",
				Credit:  creditEN,
				Alt:     "A man in a suit stands beside a dark blue railway carriage in a station hall.",
			},
			Body: []blocks.Block{
				para("A night train will once again link Varenne-sur-Lanne and the Norhavn capital from April, the Norhavn Daily Ledger reported on Wednesday 15 October. The service will run three nights a week in each direction, with sleeper and couchette carriages refurbished from an older fleet."),
				para("The route was cancelled twelve years ago for lack of passengers. Its operators now expect demand from travellers avoiding short flights, and from families visiting relatives on the other side of the border. A one-way couchette will cost slightly less than the average air fare on the same route."),
				embed("https://video.example/watch/norhavn-sleeper-carriage-tour", "video"),
				para("Tickets go on sale in January."),
			},
			CommentsEnabled: true,
		},
		// ---------------------------------------------------------------
		// Public French culture brief, oldest article, with comments.
		{
			Ref:            "lanternes",
			TranslationKey: "lanternes",
			Lang:           "fr",
			Slug:           "festival-lanternes-saint-orlac-record",
			Title:          "Le festival des Lanternes attire un public record à Saint-Orlac",
			Standfirst:     "Près de quarante mille visiteurs ont suivi la descente des lanternes sur la Lanne, samedi soir.",
			Section:        "culture",
			Tags:           []string{"equimont"},
			Authors:        []string{"nadia-ferreira"},
			SourceName:     "Le Courrier de la Vallée",
			SourceURL:      "https://courrier-vallee.example/culture/lanternes-record",
			Access:         "public",
			Status:         "published",
			AgeHours:       390,
			Photo: Picture{
				Seed: 1010, Width: 1600, Height: 1067,
				Caption: "Les enfants de l’école de Saint-Orlac, avec leur institutrice Anne Leroux, lâchent leurs lanternes sur la Lanne le 20 septembre.",
				Credit:  creditFR,
				Alt:     "Des dizaines de lanternes en papier lumineuses flottent sur un fleuve à la tombée de la nuit.",
			},
			Body: []blocks.Block{
				para("Près de quarante mille personnes se sont massées samedi 20 septembre sur les quais de Saint-Orlac pour la descente des lanternes, un record pour ce festival créé il y a vingt-cinq ans, rapporte Le Courrier de la Vallée. Plus de trois mille lanternes en papier, fabriquées dans les écoles et les ateliers du canton, ont dérivé sur la Lanne jusqu’au pont de Pontvieux."),
				para("Cette année, les organisateurs avaient remplacé les bougies par de petites lampes récupérées en aval par des bénévoles en barque. «\u00a0On veut que la fête reste belle pour le fleuve aussi\u00a0», explique la présidente de l’association, Odile Marchetti."),
				para("La prochaine édition aura lieu le troisième samedi de septembre."),
			},
			CommentsEnabled: true,
			Comments: []Comment{
				{Ref: "l1", AuthorName: "Pauline Dorval", Email: "pauline.dorval@example.org", Body: "Magique, comme chaque année. Bravo aux bénévoles en barque !", Status: "approved", AgeMinutes: 22000},
				{Ref: "l2", AuthorName: "Hugo Mercier", Email: "hugo.mercier@example.com", Body: "Dommage pour les navettes, on a attendu une heure pour rentrer à Varenne.", Status: "approved", Member: true, AgeMinutes: 21000},
				{Ref: "l3", Parent: "l2", AuthorName: "Odile Marchetti", Email: "odile.marchetti@example.org", Body: "Merci pour ce retour, nous ajouterons des navettes l’an prochain.", Status: "pending", Member: true, AgeMinutes: 60},
			},
		},
		// ---------------------------------------------------------------
		// Draft: must never be visible to the public.
		{
			Ref:            "draft-dikes",
			TranslationKey: "draft-dikes",
			Lang:           "fr",
			Slug:           "brouillon-digues-selanges-rapport",
			Title:          "BROUILLON NE PAS PUBLIER — Digues de Selanges : le rapport que la préfecture a gardé",
			Standfirst:     "Brouillon de travail : à vérifier avec le service juridique avant toute publication.",
			Section:        "environnement",
			Tags:           []string{"equimont", "eau"},
			Authors:        []string{"nadia-ferreira"},
			Access:         "public",
			Status:         "draft",
			AgeHours:       3,
			Photo: Picture{
				Seed: 1011, Width: 1600, Height: 1067,
				Caption: "Le technicien Paul Rivière inspecte une digue fissurée près de Selanges.",
				Credit:  creditFR,
				Alt:     "Un homme en gilet orange accroupi au pied d’un talus de terre fissuré.",
			},
			Body: []blocks.Block{
				para("Texte provisoire. Selon un rapport technique que la préfecture n’a pas rendu public, deux des cinq digues qui protègent Selanges présenteraient des fissures préoccupantes. Informations non recoupées : ne pas publier en l’état."),
				para("À compléter : réaction de la préfecture, avis d’un second ingénieur, cartes des zones inondables."),
			},
			CommentsEnabled: false,
		},
		// ---------------------------------------------------------------
		// Scheduled two days ahead: must never be visible before then.
		{
			Ref:            "census",
			TranslationKey: "census",
			Lang:           "en",
			Slug:           "valley-census-population-falls",
			Title:          "EMBARGOED — Valley census: population falls for the first time",
			Standfirst:     "Embargoed until release: the regional statistics office counts fewer residents than five years ago.",
			Section:        "societe",
			Tags:           []string{"equimont"},
			Authors:        []string{"lea-morvand"},
			Access:         "public",
			Status:         "scheduled",
			AgeHours:       -48,
			Photo: Picture{
				Seed: 1012, Width: 2048, Height: 1365,
				Caption: "Statistician Marta Oyelaran presents the census figures to the press in Varenne-sur-Lanne.",
				Credit:  creditEN,
				Alt:     "A woman points at a chart on a screen in a small press room.",
			},
			Body: []blocks.Block{
				para("The Valley’s population has fallen for the first time since records began, according to census results that the regional statistics office will release on Thursday. The count shows a little over four hundred thousand residents, about two per cent fewer than five years ago."),
				para("The decline is concentrated in the upland villages, while Varenne-sur-Lanne and Pontvieux continue to grow slowly. The embargoed figures must not be published before the official release."),
			},
			CommentsEnabled: true,
		},
	}
}
