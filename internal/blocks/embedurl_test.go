package blocks

import "testing"

func TestEmbedFromURL(t *testing.T) {
	yt := "https://www.youtube.com/embed/aB3_x-9"
	for _, tc := range []struct{ in, url, provider string }{
		{"https://www.youtube.com/watch?v=aB3_x-9", yt, "youtube"},
		{"  https://www.youtube.com/watch?v=aB3_x-9&t=42s&list=PL1 ", yt, "youtube"},
		{"http://youtube.com/watch?feature=share&v=aB3_x-9", yt, "youtube"},
		{"https://m.youtube.com/watch?v=aB3_x-9", yt, "youtube"},
		{"https://youtu.be/aB3_x-9", yt, "youtube"},
		{"https://youtu.be/aB3_x-9?si=tracking", yt, "youtube"},
		{"https://www.youtube.com/shorts/aB3_x-9", yt, "youtube"},
		{"https://www.youtube.com/embed/aB3_x-9", yt, "youtube"},
		{"https://www.youtube-nocookie.com/embed/aB3_x-9", "https://www.youtube-nocookie.com/embed/aB3_x-9", "youtube"},
		{"https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871", "vimeo"},
		{"https://vimeo.com/channels/staffpicks/76979871", "https://player.vimeo.com/video/76979871", "vimeo"},
		{"https://vimeo.com/groups/shortfilms/videos/76979871", "https://player.vimeo.com/video/76979871", "vimeo"},
		{"http://player.vimeo.com/video/76979871", "https://player.vimeo.com/video/76979871", "vimeo"},
		{"https://player.vimeo.com/video/76979871?h=abc", "https://player.vimeo.com/video/76979871?h=abc", "vimeo"},
		{"https://video.example/clip/42", "https://video.example/clip/42", "video"},
	} {
		b, ok := EmbedFromURL(tc.in)
		if !ok || b.Type != TypeEmbed || b.URL != tc.url || b.Provider != tc.provider {
			t.Errorf("EmbedFromURL(%q) = %+v, %v; want %s from %s", tc.in, b, ok, tc.url, tc.provider)
			continue
		}
		if errs := Validate([]Block{b}); errs != nil {
			t.Errorf("EmbedFromURL(%q) gives an invalid block: %v", tc.in, errs)
		}
		if got, err := FromHTML(`<iframe src="` + b.URL + `"></iframe>`); err != nil || len(got) != 1 || got[0].URL != b.URL {
			t.Errorf("FromHTML does not accept the player URL %q: %v %v", b.URL, got, err)
		}
	}
	for _, in := range []string{
		"", "not a url", "javascript:alert(1)//youtube.com/watch?v=x",
		"https://www.youtube.com/watch?v=", "https://www.youtube.com/watch?v=a\"onload=x",
		"https://www.youtube.com/watch?v=" + string(make([]byte, 70)),
		"https://www.youtube.com/channel/UC123", "https://youtube.com.evil.example/watch?v=abc",
		"https://evil.example/youtu.be/abc", "https://user@youtu.be/abc", "https://youtu.be:8443/abc",
		"https://vimeo.com/about", "https://vimeo.com/76979871/extra", "https://vimeo.com/channels/76979871",
		"ftp://youtu.be/abc", "https://twitter.com/someone/status/1", "https://www.youtube.com/watch?v=a%20b",
	} {
		if b, ok := EmbedFromURL(in); ok {
			t.Errorf("EmbedFromURL(%q) = %+v, want refused", in, b)
		}
	}
}
