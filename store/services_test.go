package store_test

import (
	"fmt"
	"reflect"
	"sort"
	"testing"

	"hppbot/pathway"
	"hppbot/store"
	"hppbot/store/storetest"
)

func TestServices(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	if svcs, err := st.Services(ctx); err != nil || len(svcs) != 0 {
		t.Fatalf("Services before any = %v, %v", svcs, err)
	}
	svc, ok, err := st.Service(ctx, "maternity")
	if err != nil || ok || svc != (pathway.Service{Name: "maternity"}) {
		t.Errorf("Service not set up = %+v, %v, %v", svc, ok, err)
	}

	set := at(t, "2026-01-05 09:00")
	saved := []pathway.Service{
		{Name: "maternity", Lead: "slack:U0LEE", Channel: "slack:C0MAT", Wellbeing: "slack:U0WEN", SetBy: "slack:U0ADM", SetAt: set},
		{Name: "emergency-dept", Lead: "slack:U0LEE", Channel: "slack:C0ED", SetBy: "slack:U0ADM", SetAt: set},
		{Name: "surgery", Lead: "slack:U0KIT", SetBy: "slack:U0ADM", SetAt: set},
		{Name: "radiology"}, // set up with nothing yet
	}
	for _, s := range saved {
		if err := st.SaveService(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range saved {
		got, ok, err := st.Service(ctx, want.Name)
		if err != nil || !ok {
			t.Errorf("Service(%s) = %v, %v", want.Name, ok, err)
			continue
		}
		if !got.SetAt.Equal(want.SetAt) {
			t.Errorf("Service(%s).SetAt = %v, want %v", want.Name, got.SetAt, want.SetAt)
		}
		got.SetAt, want.SetAt = got.SetAt.UTC(), want.SetAt.UTC()
		if got != want {
			t.Errorf("Service(%s) = %+v, want %+v", want.Name, got, want)
		}
	}
	svcs, err := st.Services(ctx)
	if err != nil || len(svcs) != len(saved) {
		t.Fatalf("Services = %v, %v", svcs, err)
	}
	for name, s := range svcs {
		if s.Name != name {
			t.Errorf("Services[%q].Name = %q", name, s.Name)
		}
	}

	tests := []struct {
		person string
		want   []string
	}{
		{"slack:U0LEE", []string{"emergency-dept", "maternity"}},
		{"slack:U0KIT", []string{"surgery"}},
		{"slack:U0WEN", nil}, // the wellbeing contact is not a pathway lead
		{"", []string{"radiology"}},
	}
	for _, tt := range tests {
		got := svcs.LeadOf(tt.person)
		sort.Strings(got)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("LeadOf(%q) = %v, want %v", tt.person, got, tt.want)
		}
	}

	// Saving again replaces the service whole.
	if err := st.SaveService(ctx, pathway.Service{Name: "maternity", Lead: "slack:U0NEW"}); err != nil {
		t.Fatal(err)
	}
	got, _, _ := st.Service(ctx, "maternity")
	if got != (pathway.Service{Name: "maternity", Lead: "slack:U0NEW"}) {
		t.Errorf("after replacing: %+v", got)
	}
	if lead := (store.Services{}).LeadOf("slack:U0LEE"); lead != nil {
		t.Errorf("LeadOf on an empty table = %v", lead)
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	names := st.Names()
	names.Remember(ctx, "slack:U0ASH", "Ash Example")
	names.Remember(ctx, "teams:29:abc", "Bo Sample")
	names.Remember(ctx, "", "Nobody")                 // ignored
	names.Remember(ctx, "slack:U0EMPTY", "")          // ignored
	names.Remember(ctx, "slack:U0ASH", "Ash Example") // no change

	got := names.Lookup(ctx, []string{"slack:U0ASH", "teams:29:abc", "slack:U0UNKNOWN", "slack:U0EMPTY"})
	want := map[string]string{"slack:U0ASH": "Ash Example", "teams:29:abc": "Bo Sample"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Lookup = %v, want %v", got, want)
	}
	if got := names.Lookup(ctx, nil); len(got) != 0 {
		t.Errorf("Lookup(nil) = %v", got)
	}

	// A name change is written; another process (a fresh name book) sees it.
	names.Remember(ctx, "slack:U0ASH", "Ash E.")
	other := st.Names()
	if got := other.Lookup(ctx, []string{"slack:U0ASH"}); got["slack:U0ASH"] != "Ash E." {
		t.Errorf("after a change, Lookup = %v", got)
	}
}

// BenchmarkGetCaseAndServices reads a case and a trust-sized services table,
// as every case command does to check who may act on the case.
func BenchmarkGetCaseAndServices(b *testing.B) {
	st := storetest.New(b)
	p := englandPolicy(b)
	now := at(b, "2026-01-12 10:00")
	for i := range 30 {
		svc := pathway.Service{Name: fmt.Sprintf("service-%02d", i), Lead: fmt.Sprintf("console:lead%d", i), Channel: "console:#safety", Wellbeing: "Staff support: extension 1234", SetBy: "console:sam", SetAt: now}
		if err := st.SaveService(ctx, svc); err != nil {
			b.Fatal(err)
		}
	}
	c := create(b, st, p, now, pathway.OpenInput{Service: "service-07", Harm: pathway.HarmModerate})
	b.ReportAllocs()
	for b.Loop() {
		got, svcs, err := st.GetCaseAndServices(ctx, c.ID)
		if err != nil || got.ID != c.ID || len(svcs) != 30 {
			b.Fatalf("GetCaseAndServices = %v, %d services, %v", got, len(svcs), err)
		}
	}
}

// Every case command reads the services table; a replica keeps the table as
// it last decoded it. A change made through either replica, or by hand in
// Redis, must show on the next read through both.
func TestServicesChangesSeenByEveryReplica(t *testing.T) {
	t.Parallel()
	a := storetest.New(t)
	if a.IsEmbedded() {
		t.Skip("two replicas need a shared Redis")
	}
	b, err := store.Connect(storetest.URL(), a.Prefix())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	p := englandPolicy(t)
	now := at(t, "2026-01-12 10:00")
	c := create(t, a, p, now, pathway.OpenInput{Service: "maternity", Harm: pathway.HarmModerate})
	replicas := map[string]*store.Store{"a": a, "b": b}

	steps := []struct {
		name   string
		change func() error
		want   map[string]string // service → lead
	}{
		{"empty table", func() error { return nil }, map[string]string{}},
		{"a sets up maternity", func() error {
			return a.SaveService(ctx, pathway.Service{Name: "maternity", Lead: "console:lee"})
		}, map[string]string{"maternity": "console:lee"}},
		{"nothing changes", func() error { return nil }, map[string]string{"maternity": "console:lee"}},
		{"b sets up surgery", func() error {
			return b.SaveService(ctx, pathway.Service{Name: "surgery", Lead: "console:kit"})
		}, map[string]string{"maternity": "console:lee", "surgery": "console:kit"}},
		{"b hands maternity to a new lead", func() error {
			return b.SaveService(ctx, pathway.Service{Name: "maternity", Lead: "console:ash"})
		}, map[string]string{"maternity": "console:ash", "surgery": "console:kit"}},
		{"surgery removed by hand in Redis", func() error {
			return a.Client().HDel(ctx, a.Prefix()+"services", "surgery").Err()
		}, map[string]string{"maternity": "console:ash"}},
	}
	for _, step := range steps {
		if err := step.change(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		for _, r := range []string{"a", "b", "a", "b"} { // twice: the second read is answered from what was kept
			st := replicas[r]
			svcs, err := st.Services(ctx)
			if err != nil {
				t.Fatalf("%s: Services on %s: %v", step.name, r, err)
			}
			got, withCase, err := st.GetCaseAndServices(ctx, c.ID)
			if err != nil || got.ID != c.ID {
				t.Fatalf("%s: GetCaseAndServices on %s = %v, %v", step.name, r, got, err)
			}
			for _, table := range []store.Services{svcs, withCase} {
				leads := map[string]string{}
				for name, svc := range table {
					if svc.Name != name {
						t.Errorf("%s: on %s, service %q is named %q", step.name, r, name, svc.Name)
					}
					leads[name] = svc.Lead
				}
				if !reflect.DeepEqual(leads, step.want) {
					t.Errorf("%s: on %s, leads = %v, want %v", step.name, r, leads, step.want)
				}
			}
		}
	}
}
