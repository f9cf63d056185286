package apitest

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/roster-dev/roster/client"
)

func page(t *testing.T, e *Env, hc *http.Client, method, path string, form url.Values, header map[string]string) (int, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, e.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") && !strings.HasPrefix(ct, "text/css") {
		t.Fatalf("%s %s: content type %q", method, path, ct)
	}
	if res.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("%s %s: no Content-Security-Policy", method, path)
	}
	return res.StatusCode, string(b)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// The emailed links land on the portal's pages; GET changes nothing and
// the verification happens on POST (with the form's CSRF token), refused
// cross-site.
func TestLinkPages(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	if st, body := page(t, e, hc, "GET", "/", nil, nil); st != 200 || !strings.Contains(body, "practice") {
		t.Fatalf("home: %d %s", st, body)
	}
	a := e.Signup("owner@example.com", "Lovelace & Co")
	invite(t, e, a.Token, a.OrgID, "bookkeeper", "guest@example.com")
	tok := e.LastToken("guest@example.com", "invite")
	if st, body := page(t, e, hc, "GET", "/invite/"+tok, nil, nil); st != 200 || !strings.Contains(body, "Lovelace &amp; Co") || !strings.Contains(body, "Bookkeeper") {
		t.Fatalf("invite page: %d %s", st, body)
	}
	if st, _ := page(t, e, hc, "GET", "/invite/unknown", nil, nil); st != 404 {
		t.Fatalf("unknown invite page: %d, want 404", st)
	}
	vt := e.LastToken("owner@example.com", "verify")
	st, body := page(t, e, hc, "GET", "/verify/"+vt, nil, nil)
	m := csrfField.FindStringSubmatch(body)
	if st != 200 || m == nil {
		t.Fatalf("verify page: %d %s", st, body)
	}
	form := url.Values{"csrf": {html.UnescapeString(m[1])}}
	if must(e.api(a.Token).Me(bg))(t).User.EmailVerified {
		t.Fatal("GET of the verify page changed state")
	}
	if st, _ := page(t, e, hc, "POST", "/verify/"+vt, form, map[string]string{"Sec-Fetch-Site": "cross-site"}); st != 403 {
		t.Fatalf("cross-site POST: %d, want 403", st)
	}
	if st, _ := page(t, e, hc, "POST", "/verify/"+vt, url.Values{}, map[string]string{"Sec-Fetch-Site": "same-origin"}); st != 403 {
		t.Fatalf("POST without the form's token: %d, want 403", st)
	}
	if st, body := page(t, e, hc, "POST", "/verify/"+vt, form, map[string]string{"Sec-Fetch-Site": "same-origin"}); st != 200 || !strings.Contains(body, "owner@example.com") {
		t.Fatalf("verify POST: %d %s", st, body)
	}
	if !must(e.api(a.Token).Me(bg))(t).User.EmailVerified {
		t.Fatal("the verify form did not verify")
	}
}

// /metrics is Prometheus text with Roster's own series; /readyz reports the
// database.
func TestMetricsAndReadiness(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	e.Signup("owner@example.com", "Org")
	if err := e.api("").Ready(bg); err != nil {
		t.Fatalf("readyz: %v", err)
	}
	// POST to the probes and /metrics, and /metrics itself, are outside the
	// client: raw requests.
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		if r := e.Do("POST", path, "", nil); r.Status != 405 || r.ErrorCode() != "method_not_allowed" {
			t.Errorf("POST %s: got %d %s, want 405 method_not_allowed (not the portal)", path, r.Status, r.Body)
		}
	}
	r := e.Must(http.StatusOK, "GET", "/metrics", "", nil)
	for _, series := range []string{`roster_http_requests_total{code="201",route="POST /api/v1/signup"} 1`, "roster_outbox_pending 1", "go_goroutines"} {
		if !strings.Contains(string(r.Body), series) {
			t.Errorf("metrics lack %q", series)
		}
	}
	e.App.Store.Close()
	if err := e.api("").Ready(bg); client.StatusOf(err) != 503 {
		t.Fatalf("readyz with the database closed: got %v, want 503", err)
	}
}
