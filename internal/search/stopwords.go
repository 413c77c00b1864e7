package search

// Our own short lists of the most common function words of each language
// with a stemmer: articles, pronouns, prepositions, conjunctions and
// auxiliaries, written folded (as fold writes them), in alphabetical
// order. Words that are also common content words in another of the four
// languages are left out (a query without a language drops the words of
// every list): German "war" and "hat", French "car", for instance.
var stopWords = map[string]map[string]bool{
	"fr": set(
		// elided forms: l’, d’, j’, m’, n’, s’, t’, c’, qu’
		"c", "d", "j", "l", "m", "n", "qu", "s", "t",
		"a", "au", "aux", "avec", "ce", "ces", "cet", "cette", "dans", "de",
		"des", "du", "elle", "elles", "en", "est", "et", "eux", "il", "ils",
		"je", "la", "le", "les", "leur", "leurs", "lui", "ma", "mais", "me",
		"mes", "moi", "mon", "ne", "nos", "notre", "nous", "on", "ont", "ou",
		"par", "pas", "pour", "que", "qui", "sa", "se", "ses", "son",
		"sont", "sur", "ta", "te", "tes", "toi", "ton", "tu", "un", "une",
		"vos", "votre", "vous", "y",
	),
	"en": set(
		// what is left of it’s, don’t
		"s", "t",
		"a", "about", "after", "all", "an", "and", "are", "as", "at", "be",
		"been", "but", "by", "did", "do", "does", "for", "from", "had", "has",
		"have", "he", "her", "him", "his", "i", "if", "in", "into", "is",
		"it", "its", "me", "my", "no", "not", "of", "on", "or", "our", "she",
		"so", "than", "that", "the", "their", "them", "then", "there",
		"these", "they", "this", "those", "to", "was", "we", "were", "which",
		"with", "you", "your",
	),
	"de": set(
		"aber", "als", "am", "an", "auch", "auf", "aus", "bei", "bin", "bist",
		"das", "dass", "dem", "den", "der", "des", "die", "du", "ein", "eine",
		"einem", "einen", "einer", "eines", "er", "es", "fur", "ich", "ihr",
		"ihre", "im", "in", "ist", "mit", "nach", "nicht", "noch", "oder",
		"sein", "seine", "sich", "sie", "sind", "so", "um", "und", "uns",
		"vom", "von", "waren", "wie", "wir", "wird", "zu", "zum", "zur",
	),
	"ru": set(
		"а", "без", "бы", "был", "была", "были", "было", "быть", "в", "вам",
		"вас", "во", "вы", "да", "для", "до", "его", "ее", "ей", "ему", "если",
		"же", "за", "и", "из", "или", "им", "их", "к", "как", "ко", "ли", "мы",
		"на", "над", "не", "ни", "но", "о", "об", "он", "она", "они", "оно",
		"от", "по", "под", "при", "с", "со", "так", "то", "у", "уже", "что",
		"чтобы", "это", "я",
	),
}

// queryStopWords drops, from a query without a language, the common words
// of every list.
var queryStopWords = func() map[string]bool {
	all := map[string]bool{}
	for _, l := range stopWords {
		for w := range l {
			all[w] = true
		}
	}
	return all
}()

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
