package apitest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// BenchmarkHTTPCheck measures one permission check through the whole HTTP
// stack with the operator token, as a host product would call it.
func BenchmarkHTTPCheck(b *testing.B) {
	e := New(b, "practice")
	a := e.Signup("owner@example.com", "Org")
	clientID := createClient(b, e, a.Token, a.OrgID, "Acme")
	// The loop stays a raw request, as BENCHMARKS.md measured it.
	body, _ := json.Marshal(map[string]any{"user_id": a.UserID, "permission": "clients.view", "client_id": clientID})
	url := e.URL + "/api/v1/orgs/" + a.OrgID + "/check"
	client := e.Server.Client()
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+OperatorToken)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checks/s")
}

// BenchmarkHTTPBatchCheck1000 measures a batch of 1000 checks in one request.
func BenchmarkHTTPBatchCheck1000(b *testing.B) {
	e := New(b, "practice")
	a := e.Signup("owner@example.com", "Org")
	checks := make([]map[string]any, 1000)
	for i := range checks {
		checks[i] = map[string]any{"org_id": a.OrgID, "user_id": a.UserID, "permission": "practice.settings"}
	}
	body, _ := json.Marshal(map[string]any{"checks": checks})
	client := e.Server.Client()
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequest("POST", e.URL+"/api/v1/check", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+OperatorToken)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "checks/s")
}
