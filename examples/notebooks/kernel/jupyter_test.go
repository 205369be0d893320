package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash"
	"io"
	"strings"
	"testing"
)

func TestWireMessagesAreSignedAndChecked(t *testing.T) {
	key := []byte("secret")
	k := &kernel{s: NewSession(io.Discard), session: "s1", newMAC: func() hash.Hash { return hmac.New(sha256.New, key) }}
	frames, err := k.encode(nil, "execute_request", map[string]any{"code": "1 + 1"})
	if err != nil {
		t.Fatal(err)
	}
	wire := append([][]byte{[]byte("client-id")}, frames...)
	m, err := k.decode(wire)
	if err != nil {
		t.Fatal(err)
	}
	var c struct{ Code string }
	if err := json.Unmarshal(m.content, &c); err != nil || c.Code != "1 + 1" {
		t.Errorf("content %s (%v), want code 1 + 1", m.content, err)
	}
	if m.header.MsgType != "execute_request" || m.header.Session != "s1" || len(m.ids) != 1 || string(m.ids[0]) != "client-id" {
		t.Errorf("header %+v, ids %q", m.header, m.ids)
	}
	// The signature is the HMAC of header, parent header, metadata and content.
	mac := hmac.New(sha256.New, key)
	for _, p := range frames[2:6] {
		mac.Write(p)
	}
	if got := string(frames[1]); got != hex.EncodeToString(mac.Sum(nil)) {
		t.Errorf("signature %s is not the HMAC-SHA256 of the message parts", got)
	}

	wire[len(wire)-1] = []byte(`{"code": "os.Exit(1)"}`)
	if _, err := k.decode(wire); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Errorf("tampered content: err = %v, want a bad signature", err)
	}
	if _, err := k.decode(wire[:3]); err == nil {
		t.Error("truncated message: no error")
	}
}
