package scheduler

import (
	"testing"
	"time"

	"hppbot/pathway"
	"hppbot/store"
)

// The store's "already sent?" answers are looked up by claim and
// occurrence, so an item never reads another item's answer, whatever order
// the questions were asked in.
func TestAlreadySentIsMatchedByKey(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	job := store.Job{At: at}
	caseA := &item{claim: store.Claim{Partition: 0, Member: "case:1"}, reminders: []pathway.Reminder{
		{Occurrence: "contact:1:0"}, {Occurrence: "notify:1:1"},
	}}
	caseB := &item{claim: store.Claim{Partition: 1, Member: "case:2"}, reminders: []pathway.Reminder{
		{Occurrence: "contact:1:0"},
	}}
	jobC := &item{claim: store.Claim{Partition: 0, Member: "job:x"}, job: &job}
	// Answers given in an order unlike the items': only case:2's contact
	// reminder and the job's run went.
	sent := map[store.SentQuery]bool{
		jobC.sentQuery(jobOccurrence(job)):                          true,
		caseB.sentQuery("contact:1:0"):                              true,
		caseA.sentQuery("notify:1:1"):                               false,
		caseA.sentQuery("contact:1:0"):                              false,
		{Partition: 0, Member: "case:9", Occurrence: "contact:1:0"}: true,
	}
	for _, it := range []*item{caseA, caseB, jobC} {
		it.sent = sent
	}
	tests := []struct {
		name       string
		it         *item
		occurrence string
		want       bool
	}{
		{"case:1 contact not sent, though case:2's same occurrence was", caseA, "contact:1:0", false},
		{"case:1 notification not sent", caseA, "notify:1:1", false},
		{"case:2 contact sent", caseB, "contact:1:0", true},
		{"case:2 never asked about a notification", caseB, "notify:1:1", false},
		{"job run sent", jobC, jobOccurrence(job), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.it.wasSent(tt.occurrence); got != tt.want {
				t.Errorf("wasSent(%q) = %v, want %v", tt.occurrence, got, tt.want)
			}
		})
	}
}

// owed asks about each reminder of a case, or a job's one run, for that
// claim only.
func TestOwedAsksAboutEachThingOwed(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	job := store.Job{At: at}
	tests := []struct {
		name string
		it   *item
		want []store.SentQuery
	}{
		{"stale case asks nothing", &item{claim: store.Claim{Member: "case:3"}}, nil},
		{"case with two reminders", &item{claim: store.Claim{Partition: 2, Member: "case:1"}, reminders: []pathway.Reminder{
			{Occurrence: "contact:1:0"}, {Occurrence: "written:1:1"},
		}}, []store.SentQuery{
			{Partition: 2, Member: "case:1", Occurrence: "contact:1:0"},
			{Partition: 2, Member: "case:1", Occurrence: "written:1:1"},
		}},
		{"job", &item{claim: store.Claim{Partition: 1, Member: "job:x"}, job: &job}, []store.SentQuery{
			{Partition: 1, Member: "job:x", Occurrence: jobOccurrence(job)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.it.owed()
			if len(got) != len(tt.want) {
				t.Fatalf("owed() = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("owed()[%d] = %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}
