package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
)

// This file is a Jupyter kernel (messaging protocol 5.3) around a Session,
// enough for the notebook front ends and for jupyter nbconvert --execute:
// kernel_info, execute, is_complete, comm_info, interrupt (acknowledged
// only) and shutdown, with outputs published on IOPub. It exists because
// gophernotes v0.7.5 does not start on Go 1.26 (see ../README.md).

// connection is a Jupyter connection file.
type connection struct {
	Transport       string `json:"transport"`
	IP              string `json:"ip"`
	ShellPort       int    `json:"shell_port"`
	IOPubPort       int    `json:"iopub_port"`
	StdinPort       int    `json:"stdin_port"`
	ControlPort     int    `json:"control_port"`
	HBPort          int    `json:"hb_port"`
	Key             string `json:"key"`
	SignatureScheme string `json:"signature_scheme"`
}

func (c *connection) addr(port int) string {
	return fmt.Sprintf("%s://%s:%d", c.Transport, c.IP, port)
}

// header is a message header.
type header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	Date     string `json:"date"`
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// message is a decoded wire message.
type message struct {
	ids      [][]byte // routing identities of the sender
	header   header
	parent   json.RawMessage
	metadata json.RawMessage
	content  json.RawMessage
}

const delimiter = "<IDS|MSG>"

// kernel serves one Session over the five Jupyter sockets.
type kernel struct {
	conn    connection
	newMAC  func() hash.Hash // nil: messages are not signed
	session string
	s       *Session

	shell, control, iopub, stdin, hb zmq4.Socket
	iopubMu                          sync.Mutex
}

// serveJupyter runs a kernel for the connection file at path until a
// shutdown request or a socket error.
func serveJupyter(path string, log io.Writer) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	k := &kernel{s: NewSession(log), session: newID()}
	if err := json.Unmarshal(b, &k.conn); err != nil {
		return fmt.Errorf("connection file %s: %w", path, err)
	}
	switch k.conn.SignatureScheme {
	case "hmac-sha256":
		if k.conn.Key != "" {
			key := []byte(k.conn.Key)
			k.newMAC = func() hash.Hash { return hmac.New(sha256.New, key) }
		}
	case "":
	default:
		return fmt.Errorf("connection file %s: signature scheme %q, want hmac-sha256", path, k.conn.SignatureScheme)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	k.shell, k.control, k.stdin = zmq4.NewRouter(ctx), zmq4.NewRouter(ctx), zmq4.NewRouter(ctx)
	k.iopub, k.hb = zmq4.NewPub(ctx), zmq4.NewRep(ctx)
	for _, l := range []struct {
		sock zmq4.Socket
		port int
	}{{k.shell, k.conn.ShellPort}, {k.control, k.conn.ControlPort}, {k.stdin, k.conn.StdinPort}, {k.iopub, k.conn.IOPubPort}, {k.hb, k.conn.HBPort}} {
		if err := l.sock.Listen(k.conn.addr(l.port)); err != nil {
			return fmt.Errorf("listening on %s: %w", k.conn.addr(l.port), err)
		}
		defer l.sock.Close()
	}
	go k.heartbeat()
	errc := make(chan error, 2)
	done := make(chan struct{})
	go func() { errc <- k.serve(k.control, done) }()
	go func() { errc <- k.serve(k.shell, done) }()
	select {
	case err := <-errc:
		return err
	case <-done:
		return nil
	}
}

// heartbeat echoes every ping.
func (k *kernel) heartbeat() {
	for {
		msg, err := k.hb.Recv()
		if err != nil {
			return
		}
		if err := k.hb.Send(msg); err != nil {
			return
		}
	}
}

// serve answers the requests arriving on a shell or control socket, one
// at a time; it closes done after a shutdown request.
func (k *kernel) serve(sock zmq4.Socket, done chan struct{}) error {
	for {
		raw, err := sock.Recv()
		if err != nil {
			return err
		}
		req, err := k.decode(raw.Frames)
		if err != nil {
			fmt.Fprintln(k.s.log, "kernel: dropping a message:", err)
			continue
		}
		k.publish(req, "status", map[string]any{"execution_state": "busy"})
		shutdown := false
		switch req.header.MsgType {
		case "kernel_info_request":
			err = k.reply(sock, req, "kernel_info_reply", kernelInfo())
		case "execute_request":
			err = k.execute(sock, req)
		case "is_complete_request":
			err = k.reply(sock, req, "is_complete_reply", map[string]any{"status": "unknown"})
		case "comm_info_request":
			err = k.reply(sock, req, "comm_info_reply", map[string]any{"status": "ok", "comms": map[string]any{}})
		case "interrupt_request":
			err = k.reply(sock, req, "interrupt_reply", map[string]any{"status": "ok"})
		case "shutdown_request":
			var c struct {
				Restart bool `json:"restart"`
			}
			json.Unmarshal(req.content, &c)
			err = k.reply(sock, req, "shutdown_reply", map[string]any{"status": "ok", "restart": c.Restart})
			shutdown = true
		default:
			fmt.Fprintln(k.s.log, "kernel: ignoring", req.header.MsgType)
		}
		k.publish(req, "status", map[string]any{"execution_state": "idle"})
		if err != nil {
			return err
		}
		if shutdown {
			close(done)
			return nil
		}
	}
}

// execute runs a cell and publishes what it printed and displayed.
func (k *kernel) execute(sock zmq4.Socket, req *message) error {
	var c struct {
		Code   string `json:"code"`
		Silent bool   `json:"silent"`
	}
	if err := json.Unmarshal(req.content, &c); err != nil {
		return k.reply(sock, req, "execute_reply", map[string]any{"status": "error", "ename": "BadRequest", "evalue": err.Error(), "traceback": []string{}})
	}
	k.publish(req, "execute_input", map[string]any{"code": c.Code, "execution_count": k.s.count + 1})
	r := k.s.Run(c.Code)
	if !c.Silent {
		if r.Stdout != "" {
			k.publish(req, "stream", map[string]any{"name": "stdout", "text": r.Stdout})
		}
		if r.Stderr != "" {
			k.publish(req, "stream", map[string]any{"name": "stderr", "text": r.Stderr})
		}
		for _, o := range r.Outputs {
			content := map[string]any{"data": o.Data, "metadata": map[string]any{}}
			if o.OutputType == "execute_result" {
				content["execution_count"] = r.Count
			}
			k.publish(req, o.OutputType, content)
		}
	}
	if r.Err != nil {
		e := map[string]any{"ename": "error", "evalue": r.Err.Error(), "traceback": []string{r.Err.Error()}}
		k.publish(req, "error", e)
		e["status"], e["execution_count"] = "error", r.Count
		return k.reply(sock, req, "execute_reply", e)
	}
	return k.reply(sock, req, "execute_reply", map[string]any{"status": "ok", "execution_count": r.Count, "user_expressions": map[string]any{}})
}

func kernelInfo() map[string]any {
	return map[string]any{
		"status":                 "ok",
		"protocol_version":       "5.3",
		"implementation":         "bnn-gomacro",
		"implementation_version": "1",
		"banner":                 "Go (gomacro interpreter) for the bnn notebooks",
		"language_info": map[string]any{
			"name":           "go",
			"version":        runtime.Version(),
			"mimetype":       "text/x-go",
			"file_extension": ".go",
		},
	}
}

// reply sends a reply to req on the socket it came from.
func (k *kernel) reply(sock zmq4.Socket, req *message, msgType string, content any) error {
	frames, err := k.encode(req, msgType, content)
	if err != nil {
		return err
	}
	return sock.Send(zmq4.NewMsgFrom(append(append([][]byte(nil), req.ids...), frames...)...))
}

// publish sends a message on IOPub with req as its parent.
func (k *kernel) publish(req *message, msgType string, content any) {
	frames, err := k.encode(req, msgType, content)
	if err != nil {
		fmt.Fprintln(k.s.log, "kernel:", err)
		return
	}
	k.iopubMu.Lock()
	defer k.iopubMu.Unlock()
	topic := []byte("kernel." + k.session + "." + msgType)
	if err := k.iopub.Send(zmq4.NewMsgFrom(append([][]byte{topic}, frames...)...)); err != nil {
		fmt.Fprintln(k.s.log, "kernel: publishing:", err)
	}
}

// encode returns the frames of a message from the delimiter on.
func (k *kernel) encode(parent *message, msgType string, content any) ([][]byte, error) {
	h, err := json.Marshal(header{MsgID: newID(), Session: k.session, Username: "kernel",
		Date: time.Now().UTC().Format(time.RFC3339Nano), MsgType: msgType, Version: "5.3"})
	if err != nil {
		return nil, err
	}
	parentHeader := []byte("{}")
	if parent != nil {
		if parentHeader, err = json.Marshal(parent.header); err != nil {
			return nil, err
		}
	}
	c, err := json.Marshal(content)
	if err != nil {
		return nil, err
	}
	parts := [][]byte{h, parentHeader, []byte("{}"), c}
	return append([][]byte{[]byte(delimiter), []byte(k.sign(parts))}, parts...), nil
}

// decode parses a wire message and checks its signature.
func (k *kernel) decode(frames [][]byte) (*message, error) {
	i := 0
	for i < len(frames) && string(frames[i]) != delimiter {
		i++
	}
	if len(frames) < i+6 {
		return nil, fmt.Errorf("%d frames, no complete message after the delimiter", len(frames))
	}
	parts := frames[i+2 : i+6]
	if want := k.sign(parts); !hmac.Equal([]byte(want), frames[i+1]) {
		return nil, fmt.Errorf("bad signature")
	}
	m := &message{ids: frames[:i], parent: parts[1], metadata: parts[2], content: parts[3]}
	if err := json.Unmarshal(parts[0], &m.header); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	return m, nil
}

// sign returns the hex HMAC of the message parts, or "" without a key.
func (k *kernel) sign(parts [][]byte) string {
	if k.newMAC == nil {
		return ""
	}
	mac := k.newMAC()
	for _, p := range parts {
		mac.Write(p)
	}
	return hex.EncodeToString(mac.Sum(nil))
}

// newID returns a random UUID-like identifier.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
