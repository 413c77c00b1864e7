package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
)

// Sign is the Standard Webhooks signature of a delivery attempt:
// "v1," and the base64 of HMAC-SHA256(key, id + "." + timestamp + "." + body),
// timestamp in Unix seconds. Receivers recompute it from the webhook-id and
// webhook-timestamp headers and the raw body.
func Sign(key []byte, id string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write(strconv.AppendInt(nil, timestamp, 10))
	m.Write([]byte{'.'})
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}
