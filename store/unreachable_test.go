package store_test

import (
	"context"
	"testing"

	"hppbot/store/storetest"
)

func TestUnreachableMarks(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	steps := []struct {
		do        func() (bool, error)
		wantFirst bool
		wantMark  bool
	}{
		{func() (bool, error) { return st.TellUnreachableOnce(ctx, "slack:U0SAM", "slack:U0PAT") }, true, true},
		{func() (bool, error) { return st.TellUnreachableOnce(ctx, "slack:U0SAM", "slack:U0PAT") }, false, true},
		{func() (bool, error) { return st.TellUnreachableOnce(ctx, "slack:U0SAM", "slack:C0MAT") }, true, true},
		{func() (bool, error) { return false, st.ForgetUnreachableTold(ctx, "slack:U0SAM", "slack:U0PAT") }, false, true},
		{func() (bool, error) { return st.TellUnreachableOnce(ctx, "slack:U0SAM", "slack:U0PAT") }, true, true},
		{func() (bool, error) { return false, st.ClearUnreachable(ctx, "slack:U0SAM") }, false, false},
		{func() (bool, error) { return st.TellUnreachableOnce(ctx, "slack:U0SAM", "slack:U0PAT") }, true, true},
	}
	for i, s := range steps {
		first, err := s.do()
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if first != s.wantFirst {
			t.Errorf("step %d: first = %v, want %v", i, first, s.wantFirst)
		}
		marked, err := st.Unreachable(ctx, "slack:U0SAM")
		if err != nil || marked != s.wantMark {
			t.Errorf("step %d: marked = %v, %v; want %v", i, marked, err, s.wantMark)
		}
	}
	if marked, _ := st.Unreachable(ctx, "slack:U0OTHER"); marked {
		t.Error("someone else is marked")
	}
}
