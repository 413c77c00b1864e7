package blocks

import (
	"errors"
	"fmt"
	stdhtml "html"
	"io"
	"strings"

	"golang.org/x/net/html"
)

func stdEscape(s string) string { return stdhtml.EscapeString(s) }

// checkBalanced tokenizes s as HTML and checks that every end tag closes the
// innermost open element and that nothing is left open. The renderer emits
// no void or self-closing elements, so any of those is an error too.
func checkBalanced(s string) error {
	z := html.NewTokenizer(strings.NewReader(s))
	var stack []string
	for {
		switch z.Next() {
		case html.ErrorToken:
			if err := z.Err(); !errors.Is(err, io.EOF) {
				return err
			}
			if len(stack) > 0 {
				return fmt.Errorf("unclosed elements %v", stack)
			}
			return nil
		case html.StartTagToken:
			name, _ := z.TagName()
			stack = append(stack, string(name))
		case html.EndTagToken:
			name, _ := z.TagName()
			if len(stack) == 0 || stack[len(stack)-1] != string(name) {
				return fmt.Errorf("</%s> does not close the innermost open element (open: %v)", name, stack)
			}
			stack = stack[:len(stack)-1]
		case html.SelfClosingTagToken:
			name, _ := z.TagName()
			return fmt.Errorf("unexpected self-closing <%s/>", name)
		case html.CommentToken, html.DoctypeToken:
			return fmt.Errorf("unexpected %v token %q", z.Token().Type, z.Raw())
		}
	}
}
