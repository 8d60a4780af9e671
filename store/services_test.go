package store_test

import (
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
