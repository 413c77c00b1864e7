package seed

// Readers' comments: phrases written for this project in the four
// languages, combined at random. Unlike the articles' lists these are not
// translations of each other: each language has its own readers.

type commentWords struct {
	openers, opinions, closers, replies, names []string
}

var commentText = map[string]commentWords{
	"fr": {
		openers: []string{
			"Merci pour cet article.", "Enfin un papier qui prend le temps d'expliquer.", "Je lis ce journal depuis vingt ans.",
			"Article intéressant, mais incomplet.", "J'habite à deux rues de là.", "Bonne enquête.",
			"Je ne suis pas d'accord avec le titre.", "Quelle histoire !", "Je me permets de réagir.", "On en parlait justement hier au marché.",
		},
		opinions: []string{
			"Les chiffres cités ne correspondent pas à ceux de la mairie.", "Personne ne parle du coût réel pour les habitants.",
			"Ce projet traîne depuis des années et rien ne change.", "Il faudrait interroger aussi les salariés concernés.",
			"La décision me paraît raisonnable, vu la situation.", "On nous promet la même chose à chaque élection.",
			"Les jeunes du quartier n'ont jamais été consultés.", "C'est une bonne nouvelle pour la région, à condition que le calendrier soit tenu.",
			"Je connais des familles qui ont dû déménager à cause de cela.", "Le rapport complet mérite d'être lu, il est plus nuancé que le résumé.",
			"On oublie que les petites communes paient déjà beaucoup.", "J'aimerais savoir qui a voté contre, et pourquoi.",
			"Les transports restent le vrai problème au quotidien.", "Cela fait trois fois que le chantier est reporté.",
			"Les commerçants du centre-ville sont inquiets, et on les comprend.", "Il serait utile de comparer avec ce qui se fait en Allemagne.",
		},
		closers: []string{
			"À suivre.", "Merci de continuer à couvrir ce sujet.", "On verra bien.", "Espérons que cela change quelque chose.",
			"Votre journal fait du bon travail.", "Une suite serait bienvenue.", "Bonne journée à tous.", "Restons vigilants.",
		},
		replies: []string{
			"Tout à fait d'accord avec vous.", "Pas tout à fait :", "Vous avez raison sur un point.", "Je ne vois pas les choses ainsi.",
			"Exactement ce que je pensais.", "Merci pour la précision.", "Vous oubliez un détail :", "Source ?",
		},
		names: []string{"Claire M.", "Jean-Pierre", "Sophie L.", "Marc D.", "Nadia", "Lucie B.", "Thomas R.", "Hélène", "Karim", "Odile V.", "Pierre-Yves", "Aurélie"},
	},
	"en": {
		openers: []string{
			"Thanks for this piece.", "Finally an article that takes the time to explain.", "I've read this paper for twenty years.",
			"Interesting, but it leaves a lot out.", "I live two streets away.", "Good reporting.",
			"I disagree with the headline.", "What a story.", "A few thoughts.", "We were talking about this at work yesterday.",
		},
		opinions: []string{
			"The figures quoted don't match the council's own.", "Nobody mentions what this really costs residents.",
			"This plan has dragged on for years and nothing changes.", "You should talk to the workers affected as well.",
			"The decision seems reasonable given the situation.", "We hear the same promise at every election.",
			"Young people here were never consulted.", "Good news for the region, as long as the timetable holds.",
			"I know families who had to move because of this.", "The full report is worth reading; it is more nuanced than the summary.",
			"Small towns already pay more than their share.", "I'd like to know who voted against, and why.",
			"Transport is still the real problem day to day.", "That's the third time the works have been postponed.",
			"Shop owners in the centre are worried, and you can see why.", "It would help to compare with what other countries do.",
		},
		closers: []string{
			"We'll see.", "Please keep covering this.", "Time will tell.", "Let's hope it changes something.",
			"Good work by your team.", "A follow-up would be welcome.", "Have a good day, everyone.", "Worth keeping an eye on.",
		},
		replies: []string{
			"Completely agree.", "Not quite:", "You have a point.", "I don't see it that way.",
			"Exactly what I was thinking.", "Thanks for clarifying.", "You're missing one detail:", "Source?",
		},
		names: []string{"Sarah K.", "James", "Emily T.", "Oliver P.", "Priya", "Tom W.", "Grace", "Daniel H.", "Aisha", "Mike R.", "Hannah", "Ben C."},
	},
	"de": {
		openers: []string{
			"Danke für diesen Artikel.", "Endlich ein Beitrag, der sich Zeit für Erklärungen nimmt.", "Ich lese diese Zeitung seit zwanzig Jahren.",
			"Interessant, aber unvollständig.", "Ich wohne zwei Straßen weiter.", "Gute Recherche.",
			"Mit der Überschrift bin ich nicht einverstanden.", "Was für eine Geschichte.", "Ein paar Gedanken dazu.", "Genau darüber haben wir gestern gesprochen.",
		},
		opinions: []string{
			"Die genannten Zahlen stimmen nicht mit denen der Stadt überein.", "Niemand spricht über die tatsächlichen Kosten für die Anwohner.",
			"Das Projekt zieht sich seit Jahren hin, und nichts ändert sich.", "Man sollte auch die betroffenen Beschäftigten fragen.",
			"Die Entscheidung scheint mir angesichts der Lage vernünftig.", "Dasselbe Versprechen hören wir vor jeder Wahl.",
			"Die Jugendlichen im Viertel wurden nie gefragt.", "Eine gute Nachricht für die Region, wenn der Zeitplan hält.",
			"Ich kenne Familien, die deswegen umziehen mussten.", "Der vollständige Bericht lohnt sich, er ist differenzierter als die Zusammenfassung.",
			"Kleine Gemeinden zahlen ohnehin schon viel.", "Ich wüsste gern, wer dagegen gestimmt hat und warum.",
			"Der Verkehr bleibt im Alltag das eigentliche Problem.", "Die Bauarbeiten wurden jetzt zum dritten Mal verschoben.",
			"Die Händler in der Innenstadt sind besorgt, und das verstehe ich.", "Ein Vergleich mit Frankreich wäre hilfreich.",
		},
		closers: []string{
			"Abwarten.", "Bitte bleiben Sie an dem Thema dran.", "Wir werden sehen.", "Hoffentlich ändert sich etwas.",
			"Gute Arbeit der Redaktion.", "Ein Folgeartikel wäre schön.", "Schönen Tag allerseits.", "Da sollte man wachsam bleiben.",
		},
		replies: []string{
			"Völlig einverstanden.", "Nicht ganz:", "Da haben Sie recht.", "Das sehe ich anders.",
			"Genau das dachte ich auch.", "Danke für die Klarstellung.", "Sie vergessen ein Detail:", "Quelle?",
		},
		names: []string{"Anna S.", "Jürgen", "Katrin M.", "Lukas B.", "Ayşe", "Stefan K.", "Monika", "Felix W.", "Birgit", "Tobias H.", "Sabine", "Jonas"},
	},
	"ru": {
		openers: []string{
			"Спасибо за статью.", "Наконец-то материал, в котором всё объяснено.", "Читаю эту газету двадцать лет.",
			"Интересно, но многое упущено.", "Я живу в двух кварталах оттуда.", "Хорошая работа.",
			"Не согласен с заголовком.", "Ну и история.", "Несколько мыслей.", "Как раз вчера об этом говорили на работе.",
		},
		opinions: []string{
			"Приведённые цифры не совпадают с данными мэрии.", "Никто не говорит о реальных расходах для жителей.",
			"Проект тянется годами, и ничего не меняется.", "Стоило бы спросить и самих работников.",
			"Решение кажется разумным в этой ситуации.", "Это обещают перед каждыми выборами.",
			"С молодёжью района никто не советовался.", "Хорошая новость для региона, если сроки будут соблюдены.",
			"Знаю семьи, которым из-за этого пришлось переехать.", "Полный доклад стоит прочитать, он сложнее пересказа.",
			"Маленькие города и так платят немало.", "Хотелось бы знать, кто голосовал против и почему.",
			"Главная проблема в повседневной жизни — транспорт.", "Ремонт переносят уже третий раз.",
			"Владельцы магазинов в центре волнуются, и их можно понять.", "Полезно было бы сравнить с опытом других стран.",
		},
		closers: []string{
			"Посмотрим.", "Пожалуйста, следите за этой темой.", "Время покажет.", "Надеюсь, что-то изменится.",
			"Редакция молодец.", "Было бы интересно продолжение.", "Всем хорошего дня.", "За этим стоит следить.",
		},
		replies: []string{
			"Полностью согласен.", "Не совсем так:", "В чём-то вы правы.", "Я смотрю на это иначе.",
			"Именно это я и думал.", "Спасибо за уточнение.", "Вы упускаете одну деталь:", "Источник?",
		},
		names: []string{"Анна К.", "Дмитрий", "Ольга С.", "Игорь П.", "Наталья", "Сергей В.", "Марина", "Алексей Н.", "Екатерина", "Павел", "Ирина Л.", "Михаил"},
	},
}
