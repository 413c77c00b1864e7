package blocks

import (
	"net/url"
	"regexp"
	"strings"
)

// videoID and vimeoID bound what EmbedFromURL takes from a page address.
var (
	videoID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	vimeoID = regexp.MustCompile(`^[0-9]{1,20}$`)
)

// EmbedFromURL returns the embed block for a link to a video of an accepted
// provider, and false for anything else.
//
// It takes the player address an <iframe src> holds (what FromHTML accepts)
// as well as the page address people share and content systems store:
// https://www.youtube.com/watch?v=ID, https://youtu.be/ID,
// https://www.youtube.com/shorts/ID (and m., music., nocookie and http://
// variants) become https://www.youtube.com/embed/ID; https://vimeo.com/N
// (also under /channels/… or /groups/…/videos/) becomes
// https://player.vimeo.com/video/N. Parameters of the page address (a
// playlist, a start time, tracking) are not carried over. The result always
// passes the same provider patterns as FromHTML's iframes.
func EmbedFromURL(raw string) (Block, bool) {
	raw = strings.TrimSpace(raw)
	if b, ok := embed(raw); ok {
		return b, true
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" && u.Scheme != "http" || u.User != nil || u.Port() != "" {
		return Block{}, false
	}
	host := strings.ToLower(u.Hostname())
	for _, prefix := range []string{"www.", "m.", "music."} {
		host = strings.TrimPrefix(host, prefix)
	}
	segs := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	var player string
	switch host {
	case "youtube.com", "youtube-nocookie.com":
		var id string
		switch {
		case len(segs) == 1 && segs[0] == "watch":
			id = u.Query().Get("v")
		case len(segs) == 2 && (segs[0] == "shorts" || segs[0] == "embed" || segs[0] == "live" || segs[0] == "v"):
			id = segs[1]
		}
		if videoID.MatchString(id) {
			player = "https://www.youtube.com/embed/" + id
		}
	case "youtu.be":
		if len(segs) == 1 && videoID.MatchString(segs[0]) {
			player = "https://www.youtube.com/embed/" + segs[0]
		}
	case "vimeo.com":
		// vimeo.com/N, vimeo.com/channels/NAME/N, vimeo.com/groups/NAME/videos/N.
		if last := segs[len(segs)-1]; vimeoID.MatchString(last) &&
			(len(segs) == 1 || segs[0] == "channels" && len(segs) == 3 || segs[0] == "groups" && len(segs) == 4 && segs[2] == "videos") {
			player = "https://player.vimeo.com/video/" + last
		}
	case "player.vimeo.com":
		if len(segs) == 2 && segs[0] == "video" && vimeoID.MatchString(segs[1]) {
			player = "https://player.vimeo.com/video/" + segs[1]
		}
	}
	if player == "" {
		return Block{}, false
	}
	return embed(player)
}
