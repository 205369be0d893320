package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorgonia-bnn/bnn/netspec"
	"github.com/gorgonia-bnn/bnn/scoring"
)

// Reloads under concurrent load: no request fails, and each answer is
// wholly one model's, the one its model_version names.
func TestHotReloadUnderLoad(t *testing.T) {
	spec := classifierSpec()
	models := map[bool]uint64{true: 1, false: 2} // odd versions: seed 1, even: seed 2
	var reloads, broken atomic.Int64
	reloader := func() (*scoring.Scorer, error) {
		if broken.Load() == 1 {
			return nil, errors.New("checkpoint unreadable")
		}
		if broken.Load() == 2 {
			return scorer(t, netspec.MLP(netspec.Classification, width, 17, classes), 1), nil
		}
		next := reloads.Add(1) + 1 // the version it will be
		return scorer(t, spec, models[next%2 == 1]), nil
	}
	srv, err := New("m", scorer(t, spec, 1), Reloader(reloader), Batching(16, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ts := start(t, srv)

	// Each model's answer to the request, from a server of its own.
	body := request(instances(3, 0), "")
	want := map[bool][]byte{}
	for odd, seed := range models {
		ref, err := New("m", scorer(t, spec, seed))
		if err != nil {
			t.Fatal(err)
		}
		_, r := post(t, start(t, ref).URL+"/v2/models/m/infer", body)
		want[odd], _ = json.Marshal(r.Outputs)
	}
	if bytes.Equal(want[true], want[false]) {
		t.Fatal("the two models answer alike")
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var answered atomic.Int64
	seen := make([]map[string]bool, 8)
	for c := range 8 {
		seen[c] = map[string]bool{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				status, r := post(t, ts.URL+"/v2/models/m/infer", body)
				if status != http.StatusOK {
					t.Errorf("status %d during reloads: %s", status, r.Error)
					return
				}
				var v int
				if err := json.Unmarshal([]byte(r.ModelVersion), &v); err != nil {
					t.Errorf("model_version %q", r.ModelVersion)
					return
				}
				got, _ := json.Marshal(r.Outputs)
				if !bytes.Equal(got, want[v%2 == 1]) {
					t.Errorf("version %d answered %s, want %s", v, got, want[v%2 == 1])
				}
				seen[c][r.ModelVersion] = true
				answered.Add(1)
			}
		}()
	}
	load := func() (int, string) {
		res, err := http.Post(ts.URL+"/v2/repository/models/m/load", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var e struct{ Error string }
		json.NewDecoder(res.Body).Decode(&e)
		return res.StatusCode, e.Error
	}
	for i := range 12 {
		time.Sleep(20 * time.Millisecond)
		switch i {
		case 4, 8: // a checkpoint that fails to load, one of another network
			broken.Store(int64(i / 4))
			before := srv.Version()
			status, msg := load()
			want := map[int]string{4: "checkpoint unreadable", 8: "not the network being served"}[i]
			if status != http.StatusInternalServerError || !strings.Contains(msg, want) || !strings.Contains(msg, "previous model keeps serving") || srv.Version() != before {
				t.Errorf("bad reload: %d %q, version %d -> %d", status, msg, before, srv.Version())
			}
			broken.Store(0)
		default:
			if status, msg := load(); status != http.StatusOK {
				t.Errorf("reload: %d %s", status, msg)
			}
		}
	}
	time.Sleep(20 * time.Millisecond)
	close(stop)
	wg.Wait()
	versions := map[string]bool{}
	for _, s := range seen {
		for v := range s {
			versions[v] = true
		}
	}
	if srv.Version() != 11 || len(versions) < 5 {
		t.Errorf("version %d after 10 good reloads; answers came from %d versions", srv.Version(), len(versions))
	}
	t.Logf("%d answers from %d versions", answered.Load(), len(versions))
	if n := metricValue(t, ts.URL, `bnn_serve_reloads_total{model="m",outcome="error"}`); n != 2 {
		t.Errorf("%v failed reloads counted, want 2", n)
	}
}
