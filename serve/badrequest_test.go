package serve

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// Each bad request gets a 4xx whose message names the problem, and the
// server goes on answering good ones.
func TestBadRequests(t *testing.T) {
	srv, err := New("digits", scorer(t, classifierSpec(), 1), MaxInstances(8), MaxSamples(50), MaxBodyBytes(4096))
	if err != nil {
		t.Fatal(err)
	}
	ts := start(t, srv)
	infer := ts.URL + "/v2/models/digits/infer"
	good := request(instances(2, 0), "")
	input := func(fields string) string { return `{"inputs": [{` + fields + `}]}` }
	row := `[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]`
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"malformed JSON", "POST", "", `{"inputs": [}`, 400, "malformed JSON at byte 13"},
		{"truncated JSON", "POST", "", good[:len(good)/2], 400, "truncated"},
		{"empty body", "POST", "", ``, 400, "empty request body"},
		{"not an object", "POST", "", `[1, 2]`, 400, "JSON array"},
		{"unknown field", "POST", "", `{"inputz": []}`, 400, `unknown field "inputz"`},
		{"no input", "POST", "", `{"inputs": []}`, 400, "0 inputs"},
		{"two inputs", "POST", "", `{"inputs": [{"name": "input"}, {"name": "input"}]}`, 400, "2 inputs"},
		{"wrong input name", "POST", "", input(`"name": "pixels", "shape": [1, 6], "datatype": "FP64", "data": ` + row), 400, `unknown input "pixels"`},
		{"wrong datatype", "POST", "", input(`"name": "input", "shape": [1, 6], "datatype": "BYTES", "data": ` + row), 400, `datatype "BYTES"`},
		{"wrong shape", "POST", "", input(`"name": "input", "shape": [1, 5], "datatype": "FP64", "data": ` + row), 400, "input shape [1 5]: want [N 6]"},
		{"no batch axis", "POST", "", input(`"name": "input", "shape": [6], "datatype": "FP64", "data": ` + row), 400, "input shape [6]"},
		{"empty batch", "POST", "", input(`"name": "input", "shape": [0, 6], "datatype": "FP64", "data": []`), 400, "empty batch"},
		{"negative batch", "POST", "", input(`"name": "input", "shape": [-1, 6], "datatype": "FP64", "data": []`), 400, "negative batch"},
		{"too many instances", "POST", "", request(instances(9, 0), ""), 400, "9 instances, more than the server's maximum 8"},
		{"too few values", "POST", "", input(`"name": "input", "shape": [2, 6], "datatype": "FP64", "data": ` + row), 400, "6 values, its shape holds 12"},
		{"too many values", "POST", "", input(`"name": "input", "shape": [1, 6], "datatype": "FP64", "data": [` + row + `,` + row + `]`), 400, "more than the 6 values"},
		{"NaN literal", "POST", "", input(`"name": "input", "shape": [1, 6], "datatype": "FP64", "data": [NaN, 0, 0, 0, 0, 0]`), 400, "NaN is not a JSON number"},
		{"NaN string", "POST", "", input(`"name": "input", "shape": [1, 6], "datatype": "FP64", "data": ["NaN", 0, 0, 0, 0, 0]`), 400, `string "NaN"`},
		{"infinite value", "POST", "", input(`"name": "input", "shape": [1, 6], "datatype": "FP64", "data": [0, 1e999, 0, 0, 0, 0]`), 400, "input value 1 is 1e999, want a finite number"},
		{"out of FP32 range", "POST", "", input(`"name": "input", "shape": [1, 6], "datatype": "FP32", "data": [0, 0, 1e39, 0, 0, 0]`), 400, "outside the FP32 range"},
		{"not a number", "POST", "", input(`"name": "input", "shape": [1, 6], "datatype": "FP64", "data": [true, 0, 0, 0, 0, 0]`), 400, "input value 0 is true"},
		{"no data", "POST", "", input(`"name": "input", "shape": [1, 6], "datatype": "FP64"`), 400, "no data"},
		{"zero samples", "POST", "", request(instances(1, 0), `"samples": 0`), 400, `"samples" is 0, want an integer >= 1`},
		{"too many samples", "POST", "", request(instances(1, 0), `"samples": 51`), 400, "51, more than the server's maximum 50"},
		{"fractional samples", "POST", "", request(instances(1, 0), `"samples": 2.5`), 400, `"samples" is 2.5`},
		{"negative seed", "POST", "", request(instances(1, 0), `"seed": -3`), 400, `"seed" is -3`},
		{"unknown parameter", "POST", "", request(instances(1, 0), `"temperature": 2`), 400, `unknown parameter "temperature"`},
		{"unknown output", "POST", "", strings.Replace(request(instances(1, 0), ""), `{"id"`, `{"outputs": [{"name": "logits"}], "id"`, 1), 400, `unknown output "logits"`},
		{"unknown model", "POST", "/v2/models/cats/infer", good, 404, `unknown model "cats"`},
		{"unknown version", "POST", "/v2/models/digits/versions/7/infer", good, 404, `no version "7"`},
		{"wrong method", "GET", "", "", 405, "method GET is not allowed on /v2/models/digits/infer: use POST"},
		{"wrong method on metadata", "DELETE", "/v2/models/digits", "", 405, "use GET"},
		{"unknown endpoint", "GET", "/v2/models/digits/explain", "", 404, "no endpoint GET /v2/models/digits/explain"},
		{"oversized body", "POST", "", request(instances(8, 0), "") + strings.Repeat(" ", 4096), 413, "over the server's limit of 4096 bytes"},
		{"reload without a reloader", "POST", "/v2/repository/models/digits/load", "", 501, "no Reloader"},
	} {
		path := tc.path
		if path == "" {
			path = "/v2/models/digits/infer"
		}
		req, _ := http.NewRequest(tc.method, ts.URL+path, strings.NewReader(tc.body))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var e struct{ Error string }
		err = json.NewDecoder(res.Body).Decode(&e)
		res.Body.Close()
		if res.StatusCode != tc.status || err != nil || !strings.Contains(e.Error, tc.want) {
			t.Errorf("%s: %d %q (%v); want %d naming %q", tc.name, res.StatusCode, e.Error, err, tc.status, tc.want)
		}
		if status, r := post(t, infer, good); status != 200 {
			t.Fatalf("after %s the server answers a good request %d: %s", tc.name, status, r.Error)
		}
	}
	if n := metricValue(t, ts.URL, `bnn_serve_requests_total{endpoint="infer",model="digits",outcome="client_error"`); n < 20 {
		t.Errorf("%v client errors counted", n)
	}
}

// A body shorter than its Content-Length: the client stops sending.
func TestTruncatedBody(t *testing.T) {
	srv, err := New("digits", scorer(t, classifierSpec(), 1))
	if err != nil {
		t.Fatal(err)
	}
	ts := start(t, srv)
	body := request(instances(1, 0), "")
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v2/models/digits/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:len(body)/2])
	conn.(*net.TCPConn).CloseWrite()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 400 || !strings.Contains(string(b), "reading the request body") {
		t.Errorf("truncated body: %d %s", res.StatusCode, b)
	}
	if status, r := post(t, ts.URL+"/v2/models/digits/infer", body); status != 200 {
		t.Errorf("then a good request: %d %s", status, r.Error)
	}
}
