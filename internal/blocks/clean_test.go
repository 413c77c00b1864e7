package blocks

import (
	"reflect"
	"testing"
)

func TestClean(t *testing.T) {
	in := []Block{
		{Type: TypeParagraph, Text: "a\x03b\vc\x1bd lien", Marks: []Mark{
			{Type: MarkBold, Start: 8, End: 12},  // "lien"
			{Type: MarkItalic, Start: 1, End: 2}, // only the ETX: dropped with it
			{Type: MarkItalic, Start: 0, End: 4}, // "a\x03b\v" → "ab\n"
		}},
		{Type: TypeQuote, Text: "q\x1b", Cite: "c\f"},
		{Type: TypeList, Items: []string{"i\x00", "ok"}},
		{Type: TypePhoto, PhotoID: "p", Caption: "cap\vtion\uFFFF"},
		{Type: TypeEmbed, URL: "https://x.example/\x03", Provider: "y\v"},
	}
	orig := cloneBody(in)
	got := Clean(in)
	want := []Block{
		{Type: TypeParagraph, Text: "ab\ncd lien", Marks: []Mark{
			{Type: MarkBold, Start: 6, End: 10},
			{Type: MarkItalic, Start: 0, End: 3},
		}},
		{Type: TypeQuote, Text: "q", Cite: "c\n"},
		{Type: TypeList, Items: []string{"i", "ok"}},
		{Type: TypePhoto, PhotoID: "p", Caption: "cap\ntion"},
		{Type: TypeEmbed, URL: "https://x.example/", Provider: "y "},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Clean =\n%#v\nwant\n%#v", got, want)
	}
	if !reflect.DeepEqual(in, orig) {
		t.Error("Clean modified its input")
	}
	if got := Clean(want); &got[0] != &want[0] {
		t.Error("a clean body is copied")
	}
	if errs := Validate(got); len(errs) != 0 {
		t.Errorf("the cleaned body is invalid: %v", errs)
	}
}
